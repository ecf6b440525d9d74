// State the nodes share through a real redis-server: the command client (replies in order,
// errors at once while Redis is away, deadlines, reconnects), the sliding-window rate limiter
// shared by two clients, and cache channels with a cluster-wide cache_miss claim.

#include <gtest/gtest.h>

#include <future>

#include "cluster/redis_channel_cache.hpp"
#include "cluster/redis_commands.hpp"
#include "cluster/redis_rate_limiter.hpp"
#include "core/app_runtime.hpp"
#include "service_process.hpp"
#include "transport/worker.hpp"

namespace sockudo::testing {
namespace {

using cluster::RedisCommandClient;
using cluster::RedisValue;
using std::chrono::milliseconds;
using std::chrono::seconds;

class SharedStateTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (find_binary("redis-server").empty()) GTEST_SKIP() << "redis-server is not installed";
        port_ = free_port();
        ASSERT_TRUE(start_redis(redis_, port_));
        worker_.start();
    }
    void TearDown() override {
        for (auto& c : clients_) c->stop();
        worker_.stop();
        worker_.join();
    }

    std::shared_ptr<RedisCommandClient> client(milliseconds timeout = milliseconds(1000)) {
        cluster::RedisCommandSettings s;
        s.target.port = port_;
        s.timeout = timeout;
        auto c = std::make_shared<RedisCommandClient>(s);
        c->start();
        clients_.push_back(c);
        return c;
    }

    static std::vector<RedisValue> run(RedisCommandClient& c,
                                       std::vector<RedisCommandClient::Command> commands) {
        std::promise<std::vector<RedisValue>> p;
        auto f = p.get_future();
        c.run(std::move(commands), [&p](std::vector<RedisValue> r) { p.set_value(std::move(r)); });
        if (f.wait_for(seconds(10)) != std::future_status::ready)
            return {RedisValue::error("test: no answer")};
        return f.get();
    }

    core::RateDecision check(core::RateLimiter& limiter, const std::string& key, int64_t max,
                             seconds window) {
        std::promise<core::RateDecision> p;
        auto f = p.get_future();
        limiter.check_async(key, max, window, worker_, [this, &p](core::RateDecision d) {
            EXPECT_TRUE(worker_.on_this_thread()) << "answers come on the asking worker";
            p.set_value(d);
        });
        EXPECT_EQ(f.wait_for(seconds(10)), std::future_status::ready);
        return f.get();
    }

    uint16_t port_ = 0;
    ServiceProcess redis_;
    transport::Worker worker_{0};
    std::vector<std::shared_ptr<RedisCommandClient>> clients_;
};

TEST_F(SharedStateTest, BatchesAreAnsweredInOrder) {
    auto c = client();
    ASSERT_TRUE(c->wait_connected(seconds(5)));
    auto r = run(
        *c,
        {{"SET", "k", "v"}, {"GET", "k"}, {"INCR", "n"}, {"GET", "missing"}, {"LPUSH", "k", "x"}});
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(r[0].text, "OK");
    EXPECT_EQ(r[1].text, "v");
    EXPECT_EQ(r[2].kind, RedisValue::Kind::Integer);
    EXPECT_EQ(r[2].integer, 1);
    EXPECT_EQ(r[3].kind, RedisValue::Kind::Nil);
    EXPECT_TRUE(r[4].failed()) << "Redis' own error (WRONGTYPE) is passed on";
    EXPECT_EQ(r[4].text.rfind("WRONGTYPE", 0), 0u);
}

TEST_F(SharedStateTest, RefusesAtOnceWhileRedisIsAwayAndRecovers) {
    auto c = client();
    ASSERT_TRUE(c->wait_connected(seconds(5)));
    redis_.kill();
    ASSERT_TRUE(eventually([&] { return !c->connected(); }, milliseconds(5000)));
    const auto before = std::chrono::steady_clock::now();
    auto r = run(*c, {{"PING"}});
    EXPECT_TRUE(r[0].failed());
    EXPECT_LT(std::chrono::steady_clock::now() - before, milliseconds(100))
        << "no waiting for a dead Redis";
    EXPECT_GE(c->failures(), 1u);
    ASSERT_TRUE(start_redis(redis_, port_));
    ASSERT_TRUE(eventually([&] { return c->connected(); }, milliseconds(15000)));
    EXPECT_EQ(run(*c, {{"PING"}})[0].text, "PONG");
}

TEST_F(SharedStateTest, ASilentRedisFailsCommandsAtTheDeadline) {
    auto c = client(milliseconds(300));
    ASSERT_TRUE(c->wait_connected(seconds(5)));
    redis_.signal(SIGSTOP);
    const auto before = std::chrono::steady_clock::now();
    auto r = run(*c, {{"PING"}});
    const auto waited = std::chrono::steady_clock::now() - before;
    redis_.signal(SIGCONT);
    EXPECT_TRUE(r[0].failed());
    EXPECT_GE(waited, milliseconds(250));
    EXPECT_LT(waited, milliseconds(3000));
    ASSERT_TRUE(eventually([&] { return c->connected(); }, milliseconds(15000)));
    EXPECT_EQ(run(*c, {{"PING"}})[0].text, "PONG");
}

TEST_F(SharedStateTest, RateLimitIsSharedByTwoNodes) {
    auto a = client();
    auto b = client();
    ASSERT_TRUE(a->wait_connected(seconds(5)));
    ASSERT_TRUE(b->wait_connected(seconds(5)));
    cluster::RedisRateLimiter node_a(a, "rl_test:");
    cluster::RedisRateLimiter node_b(b, "rl_test:");
    auto d1 = check(node_a, "api:1.2.3.4", 3, seconds(60));
    auto d2 = check(node_b, "api:1.2.3.4", 3, seconds(60));
    auto d3 = check(node_a, "api:1.2.3.4", 3, seconds(60));
    auto d4 = check(node_b, "api:1.2.3.4", 3, seconds(60));
    EXPECT_TRUE(d1.allowed && d2.allowed && d3.allowed);
    EXPECT_EQ(d1.remaining, 2);
    EXPECT_EQ(d2.remaining, 1);
    EXPECT_EQ(d3.remaining, 0);
    EXPECT_FALSE(d4.allowed) << "the fourth request in the window, counted across both nodes";
    EXPECT_FALSE(d4.unavailable);
    EXPECT_EQ(d4.limit, 3);
    EXPECT_GE(d4.reset_seconds, 59);
    EXPECT_LE(d4.reset_seconds, 60);
    EXPECT_TRUE(check(node_a, "api:5.6.7.8", 3, seconds(60)).allowed) << "keys are independent";
    // The spec's key layout: {prefix}:rl:{key}, one entry per admitted request.
    auto card = run(*a, {{"ZCARD", "rl_test::rl:api:1.2.3.4"}});
    EXPECT_EQ(card[0].integer, 3) << "refused requests are not recorded";
}

TEST_F(SharedStateTest, RateLimitWindowSlides) {
    auto c = client();
    ASSERT_TRUE(c->wait_connected(seconds(5)));
    cluster::RedisRateLimiter limiter(c, "rl_slide:");
    EXPECT_TRUE(check(limiter, "k", 2, seconds(1)).allowed);
    EXPECT_TRUE(check(limiter, "k", 2, seconds(1)).allowed);
    EXPECT_FALSE(check(limiter, "k", 2, seconds(1)).allowed);
    EXPECT_TRUE(
        eventually([&] { return check(limiter, "k", 2, seconds(1)).allowed; }, milliseconds(3000)))
        << "admitted again once the first entries left the window";
}

TEST_F(SharedStateTest, RateLimiterSurvivesAScriptFlushAndFailsClosedWithoutRedis) {
    auto c = client();
    ASSERT_TRUE(c->wait_connected(seconds(5)));
    cluster::RedisRateLimiter limiter(c, "rl_flush:");
    EXPECT_TRUE(check(limiter, "k", 10, seconds(60)).allowed);
    run(*c, {{"SCRIPT", "FLUSH"}});
    auto after_flush = check(limiter, "k", 10, seconds(60));
    EXPECT_TRUE(after_flush.allowed);
    EXPECT_EQ(after_flush.remaining, 8);
    redis_.kill();
    ASSERT_TRUE(eventually([&] { return !c->connected(); }, milliseconds(5000)));
    auto down = check(limiter, "k", 10, seconds(60));
    EXPECT_TRUE(down.unavailable);
    EXPECT_FALSE(down.allowed);
}

TEST_F(SharedStateTest, CacheChannelsAreSharedAndMissReportsClaimedOnce) {
    auto a = client();
    auto b = client();
    ASSERT_TRUE(a->wait_connected(seconds(5)));
    ASSERT_TRUE(b->wait_connected(seconds(5)));
    cluster::RedisChannelCache node_a(a, "cache_test:");
    cluster::RedisChannelCache node_b(b, "cache_test:");
    config::App app_config;
    app_config.id = "app-1";
    app_config.key = "key";
    app_config.secret = "secret";
    config::LimitDefaults defaults;
    auto app_a = std::make_shared<core::AppRuntime>(app_config, defaults);
    auto app_b = std::make_shared<core::AppRuntime>(app_config, defaults);

    auto get = [this](core::ChannelCache& cache, const core::AppPtr& app,
                      const std::string& channel) {
        std::promise<std::optional<core::CachedEvent>> p;
        auto f = p.get_future();
        cache.get(app, channel, &worker_,
                  [&p](std::optional<core::CachedEvent> e) { p.set_value(std::move(e)); });
        EXPECT_EQ(f.wait_for(seconds(10)), std::future_status::ready);
        return f.get();
    };
    auto claim = [this](core::ChannelCache& cache, const core::AppPtr& app,
                        const std::string& channel) {
        std::promise<bool> p;
        auto f = p.get_future();
        cache.claim_miss_report(app, channel, seconds(10), &worker_,
                                [&p](bool c) { p.set_value(c); });
        EXPECT_EQ(f.wait_for(seconds(10)), std::future_status::ready);
        return f.get();
    };

    EXPECT_FALSE(get(node_b, app_b, "cache-news").has_value());
    node_a.put(app_a, "cache-news", {"update", R"({"n":1})"}, seconds(3600));
    // put is fire-and-forget: node B sees it once Redis has it.
    std::optional<core::CachedEvent> seen;
    ASSERT_TRUE(eventually([&] { return (seen = get(node_b, app_b, "cache-news")).has_value(); },
                           milliseconds(5000)));
    EXPECT_EQ(seen->event, "update");
    EXPECT_EQ(seen->data, R"({"n":1})");
    EXPECT_GT(seen->ttl_remaining_s, 3500);
    auto stored = run(*a, {{"GET", "cache_test::app:app-1:channel:cache-news:cache_miss"}});
    EXPECT_EQ(stored[0].text, R"({"event":"update","channel":"cache-news","data":"{\"n\":1}"})");

    EXPECT_TRUE(claim(node_a, app_a, "cache-empty"));
    EXPECT_FALSE(claim(node_b, app_b, "cache-empty")) << "one cache_miss webhook for the cluster";
    EXPECT_TRUE(claim(node_b, app_b, "cache-other"));

    // Redis gone: the node's own copy answers.
    redis_.kill();
    ASSERT_TRUE(eventually([&] { return !a->connected(); }, milliseconds(5000)));
    auto local = get(node_a, app_a, "cache-news");
    ASSERT_TRUE(local.has_value());
    EXPECT_EQ(local->event, "update");
}

}  // namespace
}  // namespace sockudo::testing
