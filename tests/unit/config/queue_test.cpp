#include "config/redis_url.hpp"
#include "config_test_support.hpp"

using namespace sockudo::config;
using namespace sockudo::config::test;
using ::testing::HasSubstr;

TEST(ConfigQueue, RedisDriverIsAvailableWithItsPrefix) {
    Options o = from_json(R"({"queue": {"driver": "redis", "redis": {"prefix": "jobs:"}}})");
    EXPECT_EQ(o.queue_driver, QueueDriver::Redis);
    EXPECT_EQ(o.queue_redis_prefix, "jobs:");
    EXPECT_FALSE(has_warning(o, "queue.redis.prefix")) << all_warnings(o);
    EXPECT_EQ(from_json("{}").queue_redis_prefix, "sockudo_queue:");
}

TEST(ConfigQueue, EnvironmentSetsDriverAndPrefix) {
    Options o = from_json(R"({"queue": {"redis": {"prefix": "file:"}}})",
                          {{"QUEUE_DRIVER", "redis"}, {"QUEUE_REDIS_PREFIX", "env:"}});
    EXPECT_EQ(o.queue_driver, QueueDriver::Redis);
    EXPECT_EQ(o.queue_redis_prefix, "env:");
}

TEST(ConfigQueue, RedisClusterQueueIsStillRefused) {
    EXPECT_THAT(error_of(R"({"queue": {"driver": "redis-cluster"}})"),
                HasSubstr("queue.driver: \"redis-cluster\" is not available in this build"));
}

TEST(ConfigQueue, RedisUrlFollowsTheOverrideElseDatabaseRedis) {
    Options o = from_json(R"({"database": {"redis": {"host": "h", "port": 6390, "db": 3,
                                                     "username": "u", "password": "p/w"}}})");
    EXPECT_EQ(redis_url(o), "redis://u:p%2Fw@h:6390/3");
    o = from_json("{}", {{"REDIS_URL", "rediss://r.example:7000/1"}});
    EXPECT_EQ(redis_url(o), "rediss://r.example:7000/1");
    EXPECT_EQ(redis_url(from_json("{}")), "redis://127.0.0.1:6379/0");
    o = from_json(R"({"database": {"redis": {"host": "::1"}}})");
    EXPECT_EQ(redis_url(o), "redis://[::1]:6379/0");
    std::string error;
    auto target = parse_redis_url(redis_url(o), error);
    ASSERT_TRUE(target) << error;
    EXPECT_EQ(target->host, "::1");
}
