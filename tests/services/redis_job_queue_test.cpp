// The Redis webhook job queue against a real redis-server: jobs shared by the cluster and popped
// once, stored without the app secret, and kept in memory while Redis is unreachable.

#include "webhooks/redis_job_queue.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <map>

#include "config/options.hpp"
#include "service_process.hpp"

namespace sockudo::testing {
namespace {

using webhooks::RedisJobQueue;
using webhooks::WebhookJob;

class RedisJobQueueTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (find_binary("redis-server").empty()) GTEST_SKIP() << "redis-server is not installed";
        port_ = free_port();
        ASSERT_TRUE(start_redis(redis_, port_, {"--requirepass", "pw"}));
        auto app = std::make_shared<config::App>();
        app->id = "app-1";
        app->key = "app-key";
        app->secret = "app-secret-value";
        apps_["app-1"] = app;
    }

    std::unique_ptr<RedisJobQueue> queue(const std::string& prefix = "test_queue:") {
        config::Options o;
        o.database.redis_url_override = "redis://:pw@127.0.0.1:" + std::to_string(port_) + "/2";
        o.queue_redis_prefix = prefix;
        auto q = webhooks::make_redis_job_queue(
            o,
            [this](const std::string& id) -> std::shared_ptr<const config::App> {
                auto it = apps_.find(id);
                return it == apps_.end() ? nullptr : it->second;
            },
            100);
        return std::unique_ptr<RedisJobQueue>(static_cast<RedisJobQueue*>(q.release()));
    }

    WebhookJob job(const std::string& channel, const std::string& app_id = "app-1") {
        auto app = std::make_shared<config::App>(*apps_.at("app-1"));
        app->id = app_id;
        webhooks::WebhookEvent e;
        e.name = "channel_occupied";
        e.channel = channel;
        return WebhookJob{app, 1234, {e}};
    }

    // Everything stored in the list, read with a plain client in database 2.
    std::vector<std::string> stored(const std::string& key) {
        std::vector<std::string> out;
        redisContext* c = redisConnect("127.0.0.1", port_);
        if (c == nullptr || c->err) return out;
        freeReplyObject(redisCommand(c, "AUTH pw"));
        freeReplyObject(redisCommand(c, "SELECT 2"));
        auto* r = static_cast<redisReply*>(redisCommand(c, "LRANGE %s 0 -1", key.c_str()));
        if (r && r->type == REDIS_REPLY_ARRAY) {
            for (size_t i = 0; i < r->elements; ++i)
                out.emplace_back(r->element[i]->str, r->element[i]->len);
        }
        freeReplyObject(r);
        redisFree(c);
        return out;
    }

    uint16_t port_ = 0;
    ServiceProcess redis_;
    std::map<std::string, std::shared_ptr<const config::App>> apps_;
};

TEST_F(RedisJobQueueTest, AJobPushedByOneNodeIsPoppedOnceByTheCluster) {
    auto a = queue();
    auto b = queue();
    ASSERT_TRUE(a->push(job("ch-1")));
    ASSERT_TRUE(a->push(job("ch-2")));
    EXPECT_TRUE(a->connected());
    EXPECT_EQ(a->size(), 0u) << "the jobs are in Redis, not in memory";

    auto first = b->pop();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->events.at(0).channel, "ch-1") << "first in, first out";
    EXPECT_EQ(first->app->secret, "app-secret-value") << "the app is looked up when popped";
    auto second = a->pop();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->events.at(0).channel, "ch-2");
    EXPECT_FALSE(a->pop());
    EXPECT_FALSE(b->pop());
}

TEST_F(RedisJobQueueTest, StoredJobsHoldNoSecretAndSurviveTheNode) {
    {
        auto a = queue("survive:");
        ASSERT_TRUE(a->push(job("presence-room")));
    }  // the node goes away
    const auto entries = stored("survive:webhooks");
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].find("app-secret-value"), std::string::npos) << entries[0];
    EXPECT_NE(entries[0].find("\"app_id\":\"app-1\""), std::string::npos) << entries[0];

    auto restarted = queue("survive:");
    auto popped = restarted->pop();
    ASSERT_TRUE(popped);
    EXPECT_EQ(popped->events.at(0).channel, "presence-room");
    EXPECT_TRUE(stored("survive:webhooks").empty());
}

TEST_F(RedisJobQueueTest, JobsOfAppsThatNoLongerExistAreSkipped) {
    auto a = queue();
    ASSERT_TRUE(a->push(job("gone", "deleted-app")));
    ASSERT_TRUE(a->push(job("kept")));
    auto popped = a->pop();
    ASSERT_TRUE(popped);
    EXPECT_EQ(popped->events.at(0).channel, "kept");
}

TEST_F(RedisJobQueueTest, RedisDownKeepsJobsInMemoryAndDeliversThem) {
    auto a = queue();
    ASSERT_TRUE(a->push(job("before")));
    redis_.kill();
    const auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(a->push(job("while-down-1"))) << "memory fallback";
    ASSERT_TRUE(a->push(job("while-down-2")));
    EXPECT_FALSE(a->connected());
    EXPECT_EQ(a->size(), 2u);
    auto p1 = a->pop();
    auto p2 = a->pop();
    ASSERT_TRUE(p1 && p2);
    EXPECT_EQ(p1->events.at(0).channel, "while-down-1");
    EXPECT_EQ(p2->events.at(0).channel, "while-down-2");
    EXPECT_FALSE(a->pop());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3000ms) << "short timeouts only";

    // Back: the queue reconnects (after its back-off) and uses Redis again.
    ASSERT_TRUE(start_redis(redis_, port_, {"--requirepass", "pw"}));
    ASSERT_TRUE(eventually(
        [&] {
            a->pop();
            return a->connected();
        },
        5000ms));
    ASSERT_TRUE(a->push(job("after")));
    EXPECT_EQ(a->size(), 0u);
    EXPECT_EQ(stored("test_queue:webhooks").size(), 1u);
}

TEST_F(RedisJobQueueTest, MemoryFallbackIsBounded) {
    auto a = queue();
    redis_.kill();
    int accepted = 0;
    for (int i = 0; i < 150; ++i) accepted += a->push(job("x")) ? 1 : 0;
    EXPECT_EQ(accepted, 100) << "the memory capacity given to the queue";
}

}  // namespace
}  // namespace sockudo::testing
