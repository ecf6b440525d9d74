#pragma once
// The pending-leave state machine of protocol-v1 §12.4: a leave (channel_vacated,
// member_removed) is held back for a delay and dropped if the matching arrival
// (channel_occupied, member_added) comes first; that arrival is then not reported either, so a
// page reload inside the window produces no webhooks at all. Single-threaded; time is passed in.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sockudo::webhooks {

template <typename Payload>
class LeaveDebouncer {
public:
    using Clock = std::chrono::steady_clock;

    explicit LeaveDebouncer(std::chrono::milliseconds delay) : delay_(delay) {}

    // An arrival for `key`. Returns true when it must be reported; false when it cancelled a
    // pending leave (the subscriber came back within the window).
    bool arrive(const std::string& key) { return pending_.erase(key) == 0; }

    // A leave for `key`. Returns the payload back when it must be reported now (no delay);
    // otherwise keeps it until take_due() releases it.
    std::optional<Payload> leave(const std::string& key, Payload payload, Clock::time_point now) {
        if (delay_.count() <= 0) return payload;
        const uint64_t generation = ++next_generation_;
        pending_[key] = Entry{generation, std::move(payload)};
        order_.push_back({now + delay_, key, generation});
        return std::nullopt;
    }

    // Leaves whose window has passed without an arrival, oldest first.
    std::vector<Payload> take_due(Clock::time_point now) {
        std::vector<Payload> due;
        while (!order_.empty() && order_.front().due <= now) {
            release_front(due);
        }
        return due;
    }

    // Every pending leave, regardless of time (used when the node shuts down: its sockets are
    // gone for good).
    std::vector<Payload> take_all() {
        std::vector<Payload> due;
        while (!order_.empty()) release_front(due);
        return due;
    }

    std::optional<Clock::time_point> next_due() const {
        if (order_.empty()) return std::nullopt;
        return order_.front().due;
    }
    size_t pending() const { return pending_.size(); }

private:
    struct Entry {
        uint64_t generation;
        Payload payload;
    };
    struct Scheduled {
        Clock::time_point due;
        std::string key;
        uint64_t generation;
    };

    void release_front(std::vector<Payload>& due) {
        Scheduled s = std::move(order_.front());
        order_.pop_front();
        auto it = pending_.find(s.key);
        // A cancelled or re-armed leave leaves a stale entry in order_; the generation tells.
        if (it == pending_.end() || it->second.generation != s.generation) return;
        due.push_back(std::move(it->second.payload));
        pending_.erase(it);
    }

    std::chrono::milliseconds delay_;
    uint64_t next_generation_ = 0;
    std::unordered_map<std::string, Entry> pending_;
    std::deque<Scheduled> order_;  // due times are monotonic because the delay is constant
};

}  // namespace sockudo::webhooks
