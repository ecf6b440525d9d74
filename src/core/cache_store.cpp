#include "core/cache_store.hpp"

namespace sockudo::core {

namespace {
// Expired entries are dropped lazily on read and in a sweep every this many writes, so a
// flood of one-off cache channels cannot grow the map without bound.
constexpr size_t kPurgeEveryWrites = 1024;
}  // namespace

void CacheStore::put(std::string_view channel, CachedEvent event, std::chrono::seconds ttl) {
    auto now = Clock::now();
    std::lock_guard lock(mutex_);
    entries_[std::string(channel)] = Entry{std::move(event), now + ttl};
    if (++writes_since_purge_ >= kPurgeEveryWrites) purge_expired(now);
}

std::optional<CachedEvent> CacheStore::get(std::string_view channel) {
    auto now = Clock::now();
    std::lock_guard lock(mutex_);
    auto it = entries_.find(std::string(channel));
    if (it == entries_.end()) return std::nullopt;
    if (it->second.expires <= now) {
        entries_.erase(it);
        return std::nullopt;
    }
    CachedEvent out = it->second.event;
    out.ttl_remaining_s =
        std::chrono::duration_cast<std::chrono::seconds>(it->second.expires - now).count();
    return out;
}

bool CacheStore::should_report_miss(std::string_view channel, std::chrono::seconds window) {
    auto now = Clock::now();
    std::lock_guard lock(mutex_);
    if (++writes_since_purge_ >= kPurgeEveryWrites) purge_expired(now);
    auto [it, inserted] = last_miss_.try_emplace(std::string(channel), now);
    if (!inserted) {
        if (now - it->second < window) return false;
        it->second = now;
    }
    return true;
}

void CacheStore::purge_expired(Clock::time_point now) {
    writes_since_purge_ = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
        it = it->second.expires <= now ? entries_.erase(it) : std::next(it);
    }
    for (auto it = last_miss_.begin(); it != last_miss_.end();) {
        it = now - it->second > std::chrono::minutes(1) ? last_miss_.erase(it) : std::next(it);
    }
}

}  // namespace sockudo::core
