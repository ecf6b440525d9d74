#include "core/channel_directory.hpp"

#include <algorithm>
#include <functional>

namespace sockudo::core {

ChannelDirectory::Stripe& ChannelDirectory::stripe_for(std::string_view channel) const {
    return stripes_[std::hash<std::string_view>{}(channel) % kStripes];
}

SubscribeOutcome ChannelDirectory::subscribe(std::string_view channel, unsigned worker,
                                             const protocol::PresenceMember* member,
                                             const PresenceLimits& limits) {
    SubscribeOutcome out;
    Stripe& stripe = stripe_for(channel);
    std::lock_guard lock(stripe.mutex);
    auto it = stripe.channels.find(std::string(channel));
    if (member != nullptr) {
        bool known = it != stripe.channels.end() && it->second.members.count(member->user_id) > 0;
        size_t distinct = it == stripe.channels.end() ? 0 : it->second.members.size();
        if (!known && limits.max_members > 0 &&
            distinct + 1 > static_cast<size_t>(limits.max_members)) {
            out.ok = false;
            out.member_limit_reached = true;
            return out;
        }
    }
    if (it == stripe.channels.end()) {
        it = stripe.channels.emplace(std::string(channel), Channel{}).first;
        active_by_type_[type_index(channel)].fetch_add(1, std::memory_order_relaxed);
    }
    Channel& c = it->second;
    out.occupied = c.subscriptions == 0;
    out.subscription_count = ++c.subscriptions;
    if (c.per_worker[worker]++ == 0) c.mask |= WorkerMask{1} << worker;
    if (member != nullptr) {
        auto [mit, inserted] = c.members.try_emplace(member->user_id);
        if (inserted) mit->second.user_info_json = member->user_info_json;
        out.member_added = mit->second.sockets++ == 0;
        out.members.reserve(c.members.size());
        for (const auto& [id, m] : c.members) out.members.push_back({id, m.user_info_json});
    }
    return out;
}

UnsubscribeOutcome ChannelDirectory::unsubscribe(std::string_view channel, unsigned worker,
                                                 const std::string* user_id) {
    UnsubscribeOutcome out;
    Stripe& stripe = stripe_for(channel);
    std::lock_guard lock(stripe.mutex);
    auto it = stripe.channels.find(std::string(channel));
    if (it == stripe.channels.end()) return out;
    Channel& c = it->second;
    if (c.per_worker[worker] == 0) return out;  // not subscribed here: a no-op, never a vacate
    if (--c.per_worker[worker] == 0) c.mask &= ~(WorkerMask{1} << worker);
    out.changed = true;
    out.subscription_count = --c.subscriptions;
    if (user_id != nullptr) {
        auto mit = c.members.find(*user_id);
        if (mit != c.members.end() && --mit->second.sockets == 0) {
            c.members.erase(mit);
            out.member_removed = true;
        }
    }
    if (c.subscriptions == 0) {
        stripe.channels.erase(it);
        active_by_type_[type_index(channel)].fetch_sub(1, std::memory_order_relaxed);
        out.vacated = true;
    }
    return out;
}

size_t ChannelDirectory::type_index(std::string_view channel) {
    return static_cast<size_t>(channel_type_of(protocol::classify_channel(channel)));
}

int64_t ChannelDirectory::active_channels(ChannelTypeLabel type) const {
    return std::max<int64_t>(
        0, active_by_type_[static_cast<size_t>(type)].load(std::memory_order_relaxed));
}

WorkerMask ChannelDirectory::workers_for(std::string_view channel) const {
    Stripe& stripe = stripe_for(channel);
    std::lock_guard lock(stripe.mutex);
    auto it = stripe.channels.find(std::string(channel));
    return it == stripe.channels.end() ? 0 : it->second.mask;
}

uint64_t ChannelDirectory::subscription_count(std::string_view channel) const {
    Stripe& stripe = stripe_for(channel);
    std::lock_guard lock(stripe.mutex);
    auto it = stripe.channels.find(std::string(channel));
    return it == stripe.channels.end() ? 0 : it->second.subscriptions;
}

std::optional<ChannelSummary> ChannelDirectory::channel(std::string_view channel) const {
    Stripe& stripe = stripe_for(channel);
    std::lock_guard lock(stripe.mutex);
    auto it = stripe.channels.find(std::string(channel));
    if (it == stripe.channels.end()) return std::nullopt;
    return ChannelSummary{it->first, it->second.subscriptions, it->second.members.size()};
}

std::vector<protocol::PresenceMember> ChannelDirectory::members(std::string_view channel) const {
    std::vector<protocol::PresenceMember> out;
    Stripe& stripe = stripe_for(channel);
    std::lock_guard lock(stripe.mutex);
    auto it = stripe.channels.find(std::string(channel));
    if (it == stripe.channels.end()) return out;
    out.reserve(it->second.members.size());
    for (const auto& [id, m] : it->second.members) out.push_back({id, m.user_info_json});
    return out;
}

std::vector<ChannelSummary> ChannelDirectory::channels(std::string_view prefix) const {
    std::vector<ChannelSummary> out;
    for (Stripe& stripe : stripes_) {
        std::lock_guard lock(stripe.mutex);
        for (const auto& [name, c] : stripe.channels) {
            if (name.compare(0, prefix.size(), prefix) == 0) {
                out.push_back({name, c.subscriptions, c.members.size()});
            }
        }
    }
    return out;
}

uint64_t ChannelDirectory::total_subscriptions() const {
    uint64_t total = 0;
    for (Stripe& stripe : stripes_) {
        std::lock_guard lock(stripe.mutex);
        for (const auto& entry : stripe.channels) total += entry.second.subscriptions;
    }
    return total;
}

}  // namespace sockudo::core
