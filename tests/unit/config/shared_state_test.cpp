#include "config_test_support.hpp"

using namespace sockudo::config;
using namespace sockudo::config::test;
using ::testing::HasSubstr;

TEST(ConfigSharedState, RedisCacheIsAvailableWithItsPrefix) {
    Options o = from_json(R"({"cache": {"driver": "redis", "redis": {"prefix": "c:"}}})");
    EXPECT_EQ(o.cache_driver, CacheDriver::Redis);
    EXPECT_EQ(o.cache_redis_prefix, "c:");
    EXPECT_FALSE(has_warning(o, "cache.redis.prefix")) << all_warnings(o);
    EXPECT_EQ(from_json("{}").cache_redis_prefix, "sockudo_cache:");
    o = from_json("{}", {{"CACHE_DRIVER", "redis"}, {"CACHE_REDIS_PREFIX", "env:"}});
    EXPECT_EQ(o.cache_driver, CacheDriver::Redis);
    EXPECT_EQ(o.cache_redis_prefix, "env:");
}

TEST(ConfigSharedState, RedisRateLimiterIsAvailableWithItsPrefix) {
    Options o = from_json(
        R"({"rate_limiter": {"enabled": true, "driver": "redis", "redis": {"prefix": "l:"}}})");
    EXPECT_EQ(o.rate_limiter.driver, RateLimiterDriver::Redis);
    EXPECT_EQ(o.rate_limiter.redis_prefix, "l:");
    EXPECT_EQ(from_json("{}", {{"RATE_LIMITER_DRIVER", "redis"}}).rate_limiter.driver,
              RateLimiterDriver::Redis);
}

TEST(ConfigSharedState, RedisClusterIsStillRefused) {
    EXPECT_THAT(error_of(R"({"cache": {"driver": "redis-cluster"}})"),
                HasSubstr("cache.driver: \"redis-cluster\" is not available in this build"));
    EXPECT_THAT(error_of("{}", {{"RATE_LIMITER_DRIVER", "redis-cluster"}}),
                HasSubstr("is not available in this build"));
}
