#pragma once
// Signed-in users of one app on this node: which workers hold a user's connections (to route
// server-to-user events and terminations), when a user goes online/offline, and who watches whom
// (watchlist events). Striped like the channel directory.

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/channel_directory.hpp"

namespace sockudo::core {

class UserDirectory {
public:
    // Returns true when this makes the user online (first connection).
    bool add(const std::string& user_id, unsigned worker);
    // Returns true when this makes the user offline (last connection).
    bool remove(const std::string& user_id, unsigned worker);
    WorkerMask workers_for(const std::string& user_id) const;
    bool online(const std::string& user_id) const;
    uint64_t user_count() const;

    // Watchlist: `watcher` (one signed-in connection of that user) watches `watched`.
    void watch(const std::string& watcher, const std::vector<std::string>& watched);
    void unwatch(const std::string& watcher, const std::vector<std::string>& watched);
    // Users with at least one connection watching `user_id`.
    std::vector<std::string> watchers_of(const std::string& user_id) const;

private:
    struct User {
        uint32_t connections = 0;
        std::array<uint32_t, kMaxWorkers> per_worker{};
        WorkerMask mask = 0;
    };
    struct Stripe {
        mutable std::mutex mutex;
        std::unordered_map<std::string, User> users;
    };
    static constexpr size_t kStripes = 32;
    Stripe& stripe_for(std::string_view user_id) const;

    mutable std::array<Stripe, kStripes> stripes_;
    mutable std::mutex watch_mutex_;
    // watched user -> watcher user -> number of watching connections
    std::unordered_map<std::string, std::unordered_map<std::string, uint32_t>> watchers_;
};

}  // namespace sockudo::core
