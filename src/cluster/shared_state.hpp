#pragma once
// State the nodes share through Redis when configured (operations.md §1.9, §4.1, §5.1): cache
// channels (cache.driver=redis) and the per-IP request limits (rate_limiter.driver=redis), on
// one command connection.

#include <memory>

#include "cluster/redis_commands.hpp"
#include "config/options.hpp"
#include "core/channel_cache.hpp"
#include "core/rate_limiter.hpp"

namespace sockudo::cluster {

struct SharedState {
    std::shared_ptr<RedisCommandClient> redis;   // null when nothing is shared
    std::unique_ptr<core::ChannelCache> cache;   // null: each app's local cache
    std::shared_ptr<core::RateLimiter> limiter;  // null: rate limiting off (or permissive)

    SharedState() = default;
    SharedState(SharedState&&) = default;
    SharedState& operator=(SharedState&&) = default;
    // No answer may run into a cache or limiter that is gone.
    ~SharedState() { stop(); }

    // Before the workers the answers are posted to go away.
    void stop() {
        if (redis) redis->stop();
    }
};

// Builds what the options ask for. Start-up policy: an unreachable Redis is fatal for the cache
// (nodes would serve diverging cache channels) and gives a permissive limiter with an error line
// for the rate limiter. Throws std::runtime_error when the start cannot go on.
SharedState open_shared_state(const config::Options& options);

}  // namespace sockudo::cluster
