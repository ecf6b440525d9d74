#include "cluster/shared_state.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "cluster/redis_channel_cache.hpp"
#include "cluster/redis_rate_limiter.hpp"
#include "config/drivers.hpp"
#include "config/redis_url.hpp"

namespace sockudo::cluster {

namespace {
constexpr std::chrono::milliseconds kStartWait{3000};
}  // namespace

SharedState open_shared_state(const config::Options& options) {
    SharedState state;
    const bool limits_on = options.rate_limiter.enabled &&
                           options.rate_limiter.driver != config::RateLimiterDriver::None;
    const bool shared_cache = options.cache_driver == config::CacheDriver::Redis;
    const bool shared_limits =
        limits_on && options.rate_limiter.driver == config::RateLimiterDriver::Redis;
    if (limits_on && !shared_limits) state.limiter = std::make_shared<core::MemoryRateLimiter>();
    if (!shared_cache && !shared_limits) return state;

    std::string error;
    auto target = config::parse_redis_url(config::redis_url(options), error);
    if (!target)
        throw std::runtime_error("cache / rate limiter: the Redis URL is unusable: " + error);
    RedisCommandSettings settings;
    settings.target = *target;
    settings.name = "shared state (redis)";
    state.redis = std::make_shared<RedisCommandClient>(settings);
    state.redis->start();
    if (!state.redis->wait_connected(kStartWait)) {
        if (shared_cache) {
            state.redis->stop();
            throw std::runtime_error("cache.driver=redis: Redis at " + target->host + ":" +
                                     std::to_string(target->port) + " is unreachable at start-up");
        }
        spdlog::error(
            "rate_limiter.driver=redis: Redis at {}:{} is unreachable at start-up; requests are "
            "not rate limited on this node",
            target->host, target->port);
        state.redis->stop();
        state.redis.reset();
        return state;
    }
    if (shared_cache)
        state.cache = std::make_unique<RedisChannelCache>(state.redis, options.cache_redis_prefix);
    if (shared_limits)
        state.limiter =
            std::make_shared<RedisRateLimiter>(state.redis, options.rate_limiter.redis_prefix);
    spdlog::info("shared state on redis {}:{}: cache channels {}, rate limits {}", target->host,
                 target->port, shared_cache ? "shared" : "local",
                 shared_limits ? "shared" : "local");
    return state;
}

}  // namespace sockudo::cluster
