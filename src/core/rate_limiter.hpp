#pragma once
// Request rate limiting by key (operations.md §5.1, §5.2). The memory limiter is a fixed window
// per key starting at the key's first request; every request counts, rejected ones included.
// The interface leaves room for a shared (Redis) backend so limits can be cluster-wide.

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sockudo::core {

struct RateDecision {
    bool allowed = true;
    int64_t limit = 0;
    int64_t remaining = 0;
    int64_t reset_seconds = 0;  // until the window ends
};

class RateLimiter {
public:
    virtual ~RateLimiter() = default;
    // Counts `cost` requests against `key` (a publish to 3 channels costs 3 points).
    virtual RateDecision check(std::string_view key, int64_t max_requests, std::chrono::seconds window,
                               int64_t cost = 1) = 0;
};

class MemoryRateLimiter final : public RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    RateDecision check(std::string_view key, int64_t max_requests, std::chrono::seconds window,
                       int64_t cost = 1) override;
    // For tests: the same check at a given time.
    RateDecision check_at(std::string_view key, int64_t max_requests, std::chrono::seconds window,
                          Clock::time_point now, int64_t cost = 1);
    size_t tracked_keys() const;

private:
    struct Window {
        Clock::time_point started;
        Clock::time_point ends;
        int64_t count = 0;
    };
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, Window> windows;
        Clock::time_point next_sweep{};
    };
    static constexpr size_t kShards = 16;
    static constexpr std::chrono::seconds kSweepInterval{10};

    std::array<Shard, kShards> shards_;
};

}  // namespace sockudo::core
