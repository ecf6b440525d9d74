#include "core/channel_directory.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using namespace sockudo::core;
using sockudo::protocol::PresenceMember;

TEST(ChannelDirectory, OccupiedAndVacatedExactlyOnce) {
    ChannelDirectory d;
    PresenceLimits limits;
    EXPECT_TRUE(d.subscribe("orders", 0, nullptr, limits).occupied);
    EXPECT_FALSE(d.subscribe("orders", 1, nullptr, limits).occupied);
    EXPECT_EQ(d.subscription_count("orders"), 2u);
    EXPECT_EQ(d.workers_for("orders"), WorkerMask{0b11});
    EXPECT_FALSE(d.unsubscribe("orders", 0, nullptr).vacated);
    EXPECT_EQ(d.workers_for("orders"), WorkerMask{0b10});
    EXPECT_TRUE(d.unsubscribe("orders", 1, nullptr).vacated);
    EXPECT_FALSE(d.channel("orders").has_value());
}

TEST(ChannelDirectory, UnsubscribeOfUnknownIsANoOp) {
    ChannelDirectory d;
    EXPECT_FALSE(d.unsubscribe("nothing", 0, nullptr).vacated);
    d.subscribe("c", 0, nullptr, {});
    // Worker 1 has no subscriber: must not decrement worker 0's count or vacate.
    EXPECT_FALSE(d.unsubscribe("c", 1, nullptr).vacated);
    EXPECT_EQ(d.subscription_count("c"), 1u);
}

TEST(ChannelDirectory, PresenceMembershipIsPerUser) {
    ChannelDirectory d;
    PresenceMember alice{"alice", R"({"name":"Alice"})"};
    PresenceMember alice_tab2{"alice", R"({"name":"Other"})"};
    PresenceMember bob{"bob", "{}"};
    auto first = d.subscribe("presence-room", 0, &alice, {});
    EXPECT_TRUE(first.member_added);
    ASSERT_EQ(first.members.size(), 1u);
    auto second_tab = d.subscribe("presence-room", 1, &alice_tab2, {});
    EXPECT_FALSE(second_tab.member_added);
    auto with_bob = d.subscribe("presence-room", 0, &bob, {});
    EXPECT_TRUE(with_bob.member_added);
    EXPECT_EQ(with_bob.members.size(), 2u);
    // The first tab's user_info is kept.
    for (const auto& m : d.members("presence-room")) {
        if (m.user_id == "alice") {
            EXPECT_EQ(m.user_info_json, R"({"name":"Alice"})");
        }
    }
    std::string alice_id = "alice";
    EXPECT_FALSE(d.unsubscribe("presence-room", 0, &alice_id).member_removed);
    EXPECT_TRUE(d.unsubscribe("presence-room", 1, &alice_id).member_removed);
    EXPECT_EQ(d.channel("presence-room")->user_count, 1u);
}

TEST(ChannelDirectory, MemberLimitCountsDistinctUsers) {
    ChannelDirectory d;
    PresenceLimits limits{2};
    PresenceMember a{"a", "{}"}, b{"b", "{}"}, c{"c", "{}"};
    EXPECT_TRUE(d.subscribe("presence-x", 0, &a, limits).ok);
    EXPECT_TRUE(d.subscribe("presence-x", 0, &b, limits).ok);
    auto rejected = d.subscribe("presence-x", 0, &c, limits);
    EXPECT_FALSE(rejected.ok);
    EXPECT_TRUE(rejected.member_limit_reached);
    EXPECT_TRUE(d.subscribe("presence-x", 1, &a, limits).ok);  // another tab of a member
    EXPECT_EQ(d.subscription_count("presence-x"), 3u);
}

TEST(ChannelDirectory, ListsByPrefix) {
    ChannelDirectory d;
    d.subscribe("presence-a", 0, nullptr, {});
    d.subscribe("private-b", 0, nullptr, {});
    d.subscribe("presence-c", 0, nullptr, {});
    EXPECT_EQ(d.channels("presence-").size(), 2u);
    EXPECT_EQ(d.channels("").size(), 3u);
    EXPECT_EQ(d.total_subscriptions(), 3u);
}

TEST(ChannelDirectory, ConcurrentTransitionsAreReportedOnce) {
    ChannelDirectory d;
    constexpr int kThreads = 4;
    constexpr int kRounds = 2000;
    std::atomic<int> occupied{0}, vacated{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kRounds; ++i) {
                if (d.subscribe("hot", static_cast<unsigned>(t), nullptr, {}).occupied) ++occupied;
                if (d.unsubscribe("hot", static_cast<unsigned>(t), nullptr).vacated) ++vacated;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(occupied.load(), vacated.load());
    EXPECT_FALSE(d.channel("hot").has_value());
}
