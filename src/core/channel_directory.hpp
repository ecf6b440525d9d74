#pragma once
// The authority on who is subscribed where, for one app on this node: per channel the number of
// subscriptions, which workers hold local subscribers (a bitmask that routes a publish), and
// presence members. Striped by channel hash, each stripe behind its own short lock. The
// transitions it reports (occupied, vacated, member added, member removed) happen exactly once
// because they are detected under the stripe lock that changes the count.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/traffic_counters.hpp"
#include "protocol/presence.hpp"

namespace sockudo::core {

constexpr unsigned kMaxWorkers = 64;
using WorkerMask = uint64_t;

struct PresenceLimits {
    int64_t max_members = 100;  // distinct users per channel; <= 0 unlimited
};

struct SubscribeOutcome {
    bool ok = true;
    bool member_limit_reached = false;
    bool occupied = false;            // 0 -> 1 subscriptions
    bool member_added = false;        // the user's first socket in this channel
    uint64_t subscription_count = 0;  // after this subscription
    // Presence only: members after the join, each user once (user_id, user_info_json).
    std::vector<protocol::PresenceMember> members;
};

struct UnsubscribeOutcome {
    bool vacated = false;
    bool member_removed = false;
    bool changed = false;             // false when the socket was not subscribed here
    uint64_t subscription_count = 0;  // after this unsubscription
};

struct ChannelSummary {
    std::string name;
    uint64_t subscription_count = 0;
    uint64_t user_count = 0;
};

class ChannelDirectory {
public:
    // `member` is set for presence channels.
    SubscribeOutcome subscribe(std::string_view channel, unsigned worker,
                               const protocol::PresenceMember* member,
                               const PresenceLimits& limits);
    UnsubscribeOutcome unsubscribe(std::string_view channel, unsigned worker,
                                   const std::string* user_id);

    WorkerMask workers_for(std::string_view channel) const;
    uint64_t subscription_count(std::string_view channel) const;
    std::optional<ChannelSummary> channel(std::string_view channel) const;
    std::vector<protocol::PresenceMember> members(std::string_view channel) const;
    // Occupied channels whose name starts with `prefix`.
    std::vector<ChannelSummary> channels(std::string_view prefix) const;
    uint64_t total_subscriptions() const;
    // Occupied channels of one type (the active_channels gauge).
    int64_t active_channels(ChannelTypeLabel type) const;

private:
    struct Member {
        uint32_t sockets = 0;
        std::string user_info_json;
    };
    struct Channel {
        uint64_t subscriptions = 0;
        std::array<uint32_t, kMaxWorkers> per_worker{};
        WorkerMask mask = 0;
        std::unordered_map<std::string, Member> members;
    };
    struct Stripe {
        mutable std::mutex mutex;
        std::unordered_map<std::string, Channel> channels;
    };
    static constexpr size_t kStripes = 64;

    Stripe& stripe_for(std::string_view channel) const;
    static size_t type_index(std::string_view channel);

    mutable std::array<Stripe, kStripes> stripes_;
    std::array<std::atomic<int64_t>, kChannelTypes> active_by_type_{};
};

}  // namespace sockudo::core
