#pragma once
// The nodes this node has heard from (operations.md §3.6): node id -> time of its last
// heartbeat. Pure; the caller passes the time, so tests drive it with a fake clock.

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace sockudo::cluster {

class PeerTable {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    using Duration = std::chrono::milliseconds;

    // Records a sign of life; true when the node was not known.
    bool seen(const std::string& node, TimePoint now);
    void remove(const std::string& node);
    // Peers silent for longer than `timeout`.
    std::vector<std::string> expired(TimePoint now, Duration timeout) const;
    // Peers heard from within `timeout`.
    std::vector<std::string> live(TimePoint now, Duration timeout) const;
    // The cleanup leader: the smallest id among `self` and the live peers.
    std::string leader(const std::string& self, TimePoint now, Duration timeout) const;
    // Treats every known peer as just heard from (after our own broker outage, silence says
    // nothing about the peers).
    void refresh_all(TimePoint now);
    bool empty() const { return last_seen_.empty(); }
    size_t size() const { return last_seen_.size(); }

private:
    std::map<std::string, TimePoint> last_seen_;
};

}  // namespace sockudo::cluster
