#include "core/rate_limiter.hpp"

#include <algorithm>
#include <functional>

namespace sockudo::core {

RateDecision MemoryRateLimiter::check(std::string_view key, int64_t max_requests,
                                      std::chrono::seconds window, int64_t cost) {
    return check_at(key, max_requests, window, Clock::now(), cost);
}

RateDecision MemoryRateLimiter::check_at(std::string_view key, int64_t max_requests,
                                         std::chrono::seconds window, Clock::time_point now,
                                         int64_t cost) {
    RateDecision d;
    d.limit = max_requests;
    if (max_requests <= 0) {
        d.remaining = 0;
        return d;  // no limit configured
    }
    Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
    std::lock_guard lock(shard.mutex);
    // Expired windows are dropped periodically so that a scan of many one-off IPs cannot grow
    // the table without bound.
    if (now >= shard.next_sweep) {
        std::erase_if(shard.windows, [&](const auto& entry) { return entry.second.ends <= now; });
        shard.next_sweep = now + kSweepInterval;
    }
    auto [it, inserted] = shard.windows.try_emplace(std::string(key));
    Window& w = it->second;
    if (inserted || w.ends <= now) {
        w.started = now;
        w.ends = now + window;
        w.count = 0;
    }
    w.count += std::max<int64_t>(1, cost);
    d.allowed = w.count <= max_requests;
    d.remaining = std::max<int64_t>(0, max_requests - w.count);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(w.ends - now).count();
    d.reset_seconds = std::max<int64_t>(1, (left + 999) / 1000);
    return d;
}

void MemoryRateLimiter::check_async(std::string key, int64_t max_requests,
                                    std::chrono::seconds window, transport::Worker& /*worker*/,
                                    Done done) {
    done(check(key, max_requests, window));
}

size_t MemoryRateLimiter::tracked_keys() const {
    size_t n = 0;
    for (const Shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.windows.size();
    }
    return n;
}

}  // namespace sockudo::core
