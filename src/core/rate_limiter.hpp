#pragma once
// Request rate limiting by key (operations.md §5.1, §5.2). The memory limiter is a fixed window
// per key starting at the key's first request; every request counts, rejected ones included.
// A shared backend (Redis, in the cluster layer) answers later, so the interface is a callback.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sockudo::transport {
class Worker;
}

namespace sockudo::core {

struct RateDecision {
    bool allowed = true;
    int64_t limit = 0;
    int64_t remaining = 0;
    int64_t reset_seconds = 0;  // until the window ends
    bool unavailable = false;   // the shared backend could not answer: refuse (fail closed)
};

class RateLimiter {
public:
    using Done = std::function<void(RateDecision)>;
    virtual ~RateLimiter() = default;
    // Counts one request against `key` and answers on `worker`'s thread: at once for a
    // node-local limiter, on a later loop turn for a shared one.
    virtual void check_async(std::string key, int64_t max_requests, std::chrono::seconds window,
                             transport::Worker& worker, Done done) = 0;
};

class MemoryRateLimiter final : public RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    // Counts `cost` requests against `key` (a publish to 3 channels costs 3 points).
    RateDecision check(std::string_view key, int64_t max_requests, std::chrono::seconds window,
                       int64_t cost = 1);
    void check_async(std::string key, int64_t max_requests, std::chrono::seconds window,
                     transport::Worker& worker, Done done) override;
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
