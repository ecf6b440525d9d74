#pragma once
// The per-IP request limits shared by every node (rate_limiter.driver=redis, operations.md
// §5.1): a sliding window log per key in a sorted set at {prefix}:rl:{key}, checked and updated
// atomically by one script on Redis' clock. Refused requests are not recorded. When Redis
// cannot answer, the decision is "unavailable" and the caller refuses (fail closed).

#include <atomic>
#include <memory>
#include <string>

#include "cluster/redis_commands.hpp"
#include "core/rate_limiter.hpp"

namespace sockudo::cluster {

class RedisRateLimiter final : public core::RateLimiter {
public:
    // `client` must be started; `prefix` is rate_limiter.redis.prefix.
    RedisRateLimiter(std::shared_ptr<RedisCommandClient> client, std::string prefix);

    void check_async(std::string key, int64_t max_requests, std::chrono::seconds window,
                     transport::Worker& worker, Done done) override;

    // The decision a script reply stands for (exposed for tests).
    static core::RateDecision decode(const RedisValue& reply, int64_t max_requests);

private:
    void evaluate(std::shared_ptr<std::vector<std::string>> args, bool by_hash,
                  transport::Worker& worker, int64_t max_requests, Done done);

    std::shared_ptr<RedisCommandClient> client_;
    std::string prefix_;
    std::string member_prefix_;  // makes log entries of this process unique
    std::atomic<uint64_t> sequence_{0};
};

}  // namespace sockudo::cluster
