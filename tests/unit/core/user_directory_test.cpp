#include "core/user_directory.hpp"

#include <gtest/gtest.h>

#include "core/cache_store.hpp"

using namespace sockudo::core;

TEST(UserDirectory, OnlineAndOfflineOnFirstAndLastConnection) {
    UserDirectory users;
    EXPECT_TRUE(users.add("u1", 0));
    EXPECT_FALSE(users.add("u1", 2));
    EXPECT_EQ(users.workers_for("u1"), WorkerMask{0b101});
    EXPECT_FALSE(users.remove("u1", 0));
    EXPECT_TRUE(users.online("u1"));
    EXPECT_TRUE(users.remove("u1", 2));
    EXPECT_FALSE(users.online("u1"));
    EXPECT_FALSE(users.remove("u1", 2));  // idempotent
}

TEST(UserDirectory, WatchersAreCountedPerConnection) {
    UserDirectory users;
    users.watch("alice", {"bob", "carol"});
    users.watch("alice", {"bob"});  // a second tab of alice
    users.watch("dave", {"bob"});
    auto watchers = users.watchers_of("bob");
    EXPECT_EQ(watchers.size(), 2u);
    users.unwatch("alice", {"bob"});
    EXPECT_EQ(users.watchers_of("bob").size(), 2u);  // alice's other tab still watches
    users.unwatch("alice", {"bob", "carol"});
    EXPECT_EQ(users.watchers_of("bob"), std::vector<std::string>{"dave"});
    EXPECT_TRUE(users.watchers_of("carol").empty());
}

TEST(CacheStore, ReturnsLastEventUntilItExpires) {
    CacheStore cache;
    EXPECT_FALSE(cache.get("cache-a").has_value());
    cache.put("cache-a", {"e1", "d1"}, std::chrono::seconds(60));
    cache.put("cache-a", {"e2", "d2"}, std::chrono::seconds(60));
    auto hit = cache.get("cache-a");
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->event, "e2");
    cache.put("cache-b", {"e", "d"}, std::chrono::seconds(0));
    EXPECT_FALSE(cache.get("cache-b").has_value());
}

TEST(CacheStore, MissReportsAreDeduplicatedPerWindow) {
    CacheStore cache;
    EXPECT_TRUE(cache.should_report_miss("cache-x", std::chrono::seconds(10)));
    EXPECT_FALSE(cache.should_report_miss("cache-x", std::chrono::seconds(10)));
    EXPECT_TRUE(cache.should_report_miss("cache-y", std::chrono::seconds(10)));
    EXPECT_TRUE(cache.should_report_miss("cache-x", std::chrono::seconds(0)));
}
