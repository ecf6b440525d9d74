#pragma once
// Collects what a cluster::Transport hands to its handlers, for tests on other threads.

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/transport.hpp"
#include "service_process.hpp"

namespace sockudo::testing {

class TransportRecorder {
public:
    cluster::Transport::Handlers handlers() {
        cluster::Transport::Handlers h;
        h.on_message = [this](cluster::Channel c, std::string_view payload) {
            std::lock_guard lock(mutex_);
            if (stopped_) ++after_stop_;
            if (handler_thread_ == std::thread::id{}) handler_thread_ = std::this_thread::get_id();
            if (handler_thread_ != std::this_thread::get_id()) ++foreign_threads_;
            messages_[c].emplace_back(payload);
        };
        h.on_state = [this](bool up) {
            std::lock_guard lock(mutex_);
            if (stopped_) ++after_stop_;
            states_.push_back(up);
        };
        return h;
    }

    std::vector<std::string> messages(cluster::Channel c) const {
        std::lock_guard lock(mutex_);
        auto it = messages_.find(c);
        return it == messages_.end() ? std::vector<std::string>{} : it->second;
    }
    size_t count(cluster::Channel c) const { return messages(c).size(); }
    size_t total() const {
        std::lock_guard lock(mutex_);
        size_t n = 0;
        for (const auto& [c, v] : messages_) n += v.size();
        return n;
    }
    std::vector<bool> states() const {
        std::lock_guard lock(mutex_);
        return states_;
    }
    // The last reported state equals `up`.
    bool last_state_is(bool up) const {
        std::lock_guard lock(mutex_);
        return !states_.empty() && states_.back() == up;
    }
    bool wait_state(bool up, std::chrono::milliseconds timeout = 5000ms) const {
        return eventually([&] { return last_state_is(up); }, timeout);
    }
    bool wait_count(cluster::Channel c, size_t n,
                    std::chrono::milliseconds timeout = 5000ms) const {
        return eventually([&] { return count(c) >= n; }, timeout);
    }
    bool contains(cluster::Channel c, const std::string& payload) const {
        for (const auto& m : messages(c)) {
            if (m == payload) return true;
        }
        return false;
    }
    void mark_stopped() {
        std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    int after_stop() const {
        std::lock_guard lock(mutex_);
        return after_stop_;
    }
    int foreign_threads() const {
        std::lock_guard lock(mutex_);
        return foreign_threads_;
    }

private:
    mutable std::mutex mutex_;
    std::map<cluster::Channel, std::vector<std::string>> messages_;
    std::vector<bool> states_;
    std::thread::id handler_thread_{};
    int foreign_threads_ = 0;
    bool stopped_ = false;
    int after_stop_ = 0;
};

}  // namespace sockudo::testing
