#include "core/user_directory.hpp"

#include <functional>

namespace sockudo::core {

UserDirectory::Stripe& UserDirectory::stripe_for(std::string_view user_id) const {
    return stripes_[std::hash<std::string_view>{}(user_id) % kStripes];
}

bool UserDirectory::add(const std::string& user_id, unsigned worker) {
    Stripe& stripe = stripe_for(user_id);
    std::lock_guard lock(stripe.mutex);
    User& user = stripe.users[user_id];
    if (user.per_worker[worker]++ == 0) user.mask |= WorkerMask{1} << worker;
    return user.connections++ == 0;
}

bool UserDirectory::remove(const std::string& user_id, unsigned worker) {
    Stripe& stripe = stripe_for(user_id);
    std::lock_guard lock(stripe.mutex);
    auto it = stripe.users.find(user_id);
    if (it == stripe.users.end() || it->second.per_worker[worker] == 0) return false;
    User& user = it->second;
    if (--user.per_worker[worker] == 0) user.mask &= ~(WorkerMask{1} << worker);
    if (--user.connections == 0) {
        stripe.users.erase(it);
        return true;
    }
    return false;
}

WorkerMask UserDirectory::workers_for(const std::string& user_id) const {
    Stripe& stripe = stripe_for(user_id);
    std::lock_guard lock(stripe.mutex);
    auto it = stripe.users.find(user_id);
    return it == stripe.users.end() ? 0 : it->second.mask;
}

bool UserDirectory::online(const std::string& user_id) const {
    return workers_for(user_id) != 0;
}

uint64_t UserDirectory::user_count() const {
    uint64_t total = 0;
    for (Stripe& stripe : stripes_) {
        std::lock_guard lock(stripe.mutex);
        total += stripe.users.size();
    }
    return total;
}

void UserDirectory::watch(const std::string& watcher, const std::vector<std::string>& watched) {
    std::lock_guard lock(watch_mutex_);
    for (const auto& id : watched) ++watchers_[id][watcher];
}

void UserDirectory::unwatch(const std::string& watcher, const std::vector<std::string>& watched) {
    std::lock_guard lock(watch_mutex_);
    for (const auto& id : watched) {
        auto it = watchers_.find(id);
        if (it == watchers_.end()) continue;
        auto wit = it->second.find(watcher);
        if (wit != it->second.end() && --wit->second == 0) it->second.erase(wit);
        if (it->second.empty()) watchers_.erase(it);
    }
}

std::vector<std::string> UserDirectory::watchers_of(const std::string& user_id) const {
    std::lock_guard lock(watch_mutex_);
    std::vector<std::string> out;
    auto it = watchers_.find(user_id);
    if (it == watchers_.end()) return out;
    out.reserve(it->second.size());
    for (const auto& entry : it->second) out.push_back(entry.first);
    return out;
}

}  // namespace sockudo::core
