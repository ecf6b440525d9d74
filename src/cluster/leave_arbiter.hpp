#pragma once
// The leave race: when the last local sockets of a user (or the last subscribers of a channel)
// leave on two nodes within one broker round trip, each still sees the other holding it and
// both stay silent, so nobody would announce member_removed (channel_vacated). Each node
// remembers the leaves it kept quiet; when another node's quiet leave for the same key
// arrives and nobody holds it any more, the smallest id among the quiet nodes announces.
// Pure and unlocked.

#include <chrono>
#include <map>
#include <set>
#include <string>

namespace sockudo::cluster {

class LeaveArbiter {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    // Bounds the memory a flood of quiet leaves can take; the oldest are forgotten first.
    static constexpr size_t kMaxEntries = 100'000;

    // This node left `key` without announcing (another node still held it).
    void kept_quiet(const std::string& key, TimePoint now);
    // Another node announced the leave of `key`: nothing is left to decide.
    void announced_elsewhere(const std::string& key) { entries_.erase(key); }
    // Another node (`node`) left `key` quietly; `nobody_holds` is the state after that leave.
    // True when this node must announce it now.
    bool quiet_elsewhere(const std::string& key, const std::string& node, bool nobody_holds,
                         const std::string& self);
    // Forgets quiet leaves older than `max_age` (the holder left for good, or died and the
    // dead-node cleanup announced it).
    void expire(TimePoint now, std::chrono::milliseconds max_age);
    size_t size() const { return entries_.size(); }

private:
    struct Entry {
        TimePoint at;
        std::set<std::string> quiet;  // other nodes that kept the same leave quiet
    };
    std::map<std::string, Entry> entries_;
};

}  // namespace sockudo::cluster
