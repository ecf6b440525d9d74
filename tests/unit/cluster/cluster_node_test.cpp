// Several cluster nodes in one process over the loopback transport: each with its own engine
// (no workers: the cluster behaviour is observed through caches, hooks and answers).
#include "cluster/cluster_node.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "cluster/loopback_transport.hpp"
#include "core/app_registry.hpp"
#include "core/engine.hpp"

using namespace sockudo;
using namespace sockudo::cluster;
using namespace std::chrono_literals;

namespace {

struct CountingHooks : core::EventHooks {
    std::atomic<int> removed{0};
    std::atomic<int> vacated{0};
    void member_removed(const config::App&, std::string_view, std::string_view) override {
        ++removed;
    }
    void channel_vacated(const config::App&, std::string_view) override { ++vacated; }
};

config::Options options_with_app() {
    config::Options o;
    config::App app;
    app.id = "app-1";
    app.key = "key-1";
    app.secret = "secret-1";
    o.apps.push_back(app);
    return o;
}

ClusterSettings fast_settings() {
    ClusterSettings s;
    s.heartbeat_interval = 50ms;
    s.node_timeout = 600ms;
    s.cleanup_interval = 50ms;
    s.request_timeout = 200ms;
    return s;
}

struct TestNode {
    explicit TestNode(std::shared_ptr<LoopbackHub> hub)
        : options(options_with_app()),
          apps(options),
          engine(options, apps, {}, hooks),
          node(engine, std::make_unique<LoopbackTransport>(hub), fast_settings()) {
        engine.set_cluster(&node);
        node.start();
    }
    core::AppRuntime& app() { return *apps.find_by_id("app-1"); }

    config::Options options;
    core::AppRegistry apps;
    CountingHooks hooks;
    core::Engine engine;
    ClusterNode node;
};

template <typename F>
bool eventually(F condition, std::chrono::milliseconds limit = 3s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (condition()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return condition();
}

// A node that only says what it is told to (heartbeats, presence), and never answers.
struct Ghost {
    explicit Ghost(std::shared_ptr<LoopbackHub> hub, std::string id)
        : transport(std::move(hub)), id(std::move(id)) {
        transport.start(this->id, {});
    }
    void send(RequestType type, std::string channel = {}, std::string user = {}) {
        RequestMessage m;
        m.request_id = random_uuid();
        m.node_id = id;
        m.app_id = type == RequestType::Heartbeat ? "cluster" : "app-1";
        m.type = type;
        m.channel = std::move(channel);
        m.user_id = std::move(user);
        transport.publish(Channel::Requests, encode(m));
    }
    LoopbackTransport transport;
    std::string id;
};

}  // namespace

TEST(ClusterNode, NodesLearnEachOtherAndCarryBroadcasts) {
    auto hub = std::make_shared<LoopbackHub>();
    TestNode a(hub), b(hub);
    ASSERT_TRUE(eventually([&] { return a.node.has_peers() && b.node.has_peers(); }));
    // A cache channel keeps the last event on every node, whichever node published it.
    core::Publication p{
        a.apps.find_by_id("app-1"),
        "cache-prices",
        transport::make_text_frame(R"({"event":"tick","channel":"cache-prices","data":"42"})"),
        {}};
    a.engine.publish(std::move(p));
    ASSERT_TRUE(eventually([&] { return b.app().cache.get("cache-prices").has_value(); }));
    EXPECT_EQ(b.app().cache.get("cache-prices")->data, "42");
    EXPECT_EQ(b.node.stats().broadcasts_received.load(), 1u);
    EXPECT_EQ(a.node.stats().broadcasts_received.load(), 0u);  // its own echo is dropped
}

TEST(ClusterNode, PresenceTransitionsAreDecidedClusterWide) {
    auto hub = std::make_shared<LoopbackHub>();
    TestNode a(hub), b(hub);
    protocol::PresenceMember alice{"alice", R"({"name":"Alice"})"};
    EXPECT_TRUE(a.node.member_joined(a.app(), "presence-room", alice));  // first in the cluster
    std::vector<protocol::PresenceMember> seen_on_b;
    ASSERT_TRUE(eventually([&] {
        seen_on_b.clear();
        b.node.merge_remote_members(b.app(), "presence-room", seen_on_b);
        return seen_on_b.size() == 1;
    }));
    EXPECT_EQ(seen_on_b[0].user_info_json, R"({"name":"Alice"})");
    EXPECT_FALSE(b.node.member_joined(b.app(), "presence-room", alice));  // already present on a
    ASSERT_TRUE(eventually([&] {
        std::vector<protocol::PresenceMember> m;
        a.node.merge_remote_members(a.app(), "presence-room", m);
        return m.size() == 1;
    }));
    // Leaves are decided after the settle time, by the node itself.
    EXPECT_FALSE(a.node.member_left(a.app(), "presence-room", "alice"));  // still on b: quiet
    ASSERT_TRUE(eventually([&] {
        std::vector<protocol::PresenceMember> m;
        b.node.merge_remote_members(b.app(), "presence-room", m);
        return m.empty();
    }));
    EXPECT_EQ(a.hooks.removed, 0);
    EXPECT_FALSE(b.node.member_left(b.app(), "presence-room", "alice"));
    ASSERT_TRUE(eventually([&] { return b.hooks.removed == 1; }));  // the last one anywhere
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(a.hooks.removed + b.hooks.removed, 1);
}

TEST(ClusterNode, ConcurrentLastLeavesOnTwoNodesAreAnnouncedOnce) {
    auto hub = std::make_shared<LoopbackHub>();
    TestNode a(hub), b(hub);
    protocol::PresenceMember alice{"alice", "{}"};
    a.node.member_joined(a.app(), "presence-room", alice);
    b.node.member_joined(b.app(), "presence-room", alice);
    ASSERT_TRUE(eventually([&] {
        std::vector<protocol::PresenceMember> ma, mb;
        a.node.merge_remote_members(a.app(), "presence-room", ma);
        b.node.merge_remote_members(b.app(), "presence-room", mb);
        return ma.size() == 1 && mb.size() == 1;
    }));
    // Both leave at once: each sees the other holding alice when it decides.
    a.node.member_left(a.app(), "presence-room", "alice");
    b.node.member_left(b.app(), "presence-room", "alice");
    ASSERT_TRUE(eventually([&] { return a.hooks.removed + b.hooks.removed >= 1; }));
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(a.hooks.removed + b.hooks.removed, 1);
}

TEST(ClusterNode, ALeaveFollowedByARejoinIsNoTransition) {
    auto hub = std::make_shared<LoopbackHub>();
    TestNode a(hub), b(hub);
    protocol::PresenceMember alice{"alice", "{}"};
    EXPECT_TRUE(a.node.member_joined(a.app(), "presence-room", alice));
    a.node.member_left(a.app(), "presence-room", "alice");
    EXPECT_FALSE(a.node.member_joined(a.app(), "presence-room", alice));  // within the settle time
    std::this_thread::sleep_for(400ms);
    EXPECT_EQ(a.hooks.removed, 0);
    std::vector<protocol::PresenceMember> m;
    b.node.merge_remote_members(b.app(), "presence-room", m);
    EXPECT_EQ(m.size(), 1u);
}

TEST(ClusterNode, OccupancyIsDecidedClusterWide) {
    auto hub = std::make_shared<LoopbackHub>();
    TestNode a(hub), b(hub);
    EXPECT_TRUE(a.node.channel_occupied(a.app(), "orders"));
    std::this_thread::sleep_for(100ms);  // the loopback hop takes microseconds
    EXPECT_FALSE(b.node.channel_occupied(b.app(), "orders"));
    std::this_thread::sleep_for(100ms);
    a.node.channel_vacated(a.app(), "orders");  // b still has it: quiet after the settle time
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(a.hooks.vacated + b.hooks.vacated, 0);
    b.node.channel_vacated(b.app(), "orders");
    ASSERT_TRUE(eventually([&] { return b.hooks.vacated == 1; }));
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(a.hooks.vacated + b.hooks.vacated, 1);
}

TEST(ClusterNode, QueriesAggregateEveryLiveNode) {
    auto hub = std::make_shared<LoopbackHub>();
    TestNode a(hub), b(hub), c(hub);
    ASSERT_TRUE(eventually([&] { return a.node.peer_count() == 2; }));
    b.app().channels.subscribe("orders", 0, nullptr, {});
    c.app().channels.subscribe("orders", 0, nullptr, {});
    c.app().channels.subscribe("news", 0, nullptr, {});
    std::promise<core::ClusterAnswer> promise;
    a.node.query(a.app(), {core::ClusterQuery::ChannelsWithSocketsCount, {}, {}},
                 [&](core::ClusterAnswer answer) { promise.set_value(std::move(answer)); });
    auto future = promise.get_future();
    ASSERT_EQ(future.wait_for(2s), std::future_status::ready);
    core::ClusterAnswer answer = future.get();
    EXPECT_TRUE(answer.complete);
    EXPECT_EQ(answer.responses, 2u);
    EXPECT_EQ(answer.channel_counts["orders"], 2u);
    EXPECT_EQ(answer.channel_counts["news"], 1u);
}

TEST(ClusterNode, ASilentNodeMakesTheAnswerPartialAtTheDeadline) {
    auto hub = std::make_shared<LoopbackHub>();
    TestNode a(hub), b(hub);
    Ghost ghost(hub, "ffffffff-ghost");
    ghost.send(RequestType::Heartbeat);
    ASSERT_TRUE(eventually([&] { return a.node.peer_count() == 2; }));
    b.app().channels.subscribe("orders", 0, nullptr, {});
    std::promise<core::ClusterAnswer> promise;
    const auto started = std::chrono::steady_clock::now();
    a.node.query(a.app(), {core::ClusterQuery::ChannelSocketsCount, {"orders"}, {}},
                 [&](core::ClusterAnswer answer) { promise.set_value(std::move(answer)); });
    auto future = promise.get_future();
    ASSERT_EQ(future.wait_for(2s), std::future_status::ready);
    core::ClusterAnswer answer = future.get();
    EXPECT_GE(std::chrono::steady_clock::now() - started, 190ms);  // waited for the deadline
    EXPECT_FALSE(answer.complete);
    EXPECT_EQ(answer.responses, 1u);
    EXPECT_EQ(answer.expected, 2u);
    EXPECT_EQ(answer.channel_counts["orders"], 1u);
}

TEST(ClusterNode, ADeadNodesMembersAreRemovedOnceByTheLeader) {
    auto hub = std::make_shared<LoopbackHub>();
    TestNode a(hub), b(hub);
    Ghost ghost(hub, "ffffffff-ghost");  // the largest id: never the leader
    ghost.send(RequestType::Heartbeat);
    ghost.send(RequestType::PresenceMemberJoined, "presence-room", "carol");
    ghost.send(RequestType::PresenceMemberJoined, "presence-room", "dave");
    ghost.send(RequestType::ChannelOccupied, "presence-room");
    // dave is also on a: only carol is gone when the ghost dies.
    protocol::PresenceMember dave{"dave", "{}"};
    ASSERT_TRUE(eventually([&] { return !a.node.member_joined(a.app(), "presence-room", dave); }));
    // The ghost stops heartbeating: after node_timeout one node (the leader) cleans up.
    ASSERT_TRUE(eventually([&] { return a.hooks.removed + b.hooks.removed >= 1; }, 3s));
    std::this_thread::sleep_for(400ms);  // a second, wrong removal would show up by now
    EXPECT_EQ(a.hooks.removed + b.hooks.removed, 1);
    EXPECT_EQ(a.hooks.vacated + b.hooks.vacated, 1);  // no live node has a subscriber there
    EXPECT_EQ(a.node.peer_count(), 1u);
    EXPECT_EQ(b.node.peer_count(), 1u);
}

TEST(ClusterNode, BrokerOutageIsReportedAndRecovered) {
    auto hub = std::make_shared<LoopbackHub>();
    TestNode a(hub), b(hub);
    ASSERT_TRUE(eventually([&] { return a.node.healthy() && a.node.has_peers(); }));
    hub->set_up(false);
    ASSERT_TRUE(eventually([&] { return !a.node.healthy(); }));
    // Joins while cut off are not seen by b...
    protocol::PresenceMember erin{"erin", "{}"};
    EXPECT_TRUE(a.node.member_joined(a.app(), "presence-room", erin));
    std::this_thread::sleep_for(800ms);  // longer than node_timeout: nobody is declared dead
    EXPECT_EQ(a.hooks.removed + b.hooks.removed, 0);
    hub->set_up(true);
    ASSERT_TRUE(eventually([&] { return a.node.healthy(); }));
    // ...until the re-sync after the reconnection.
    ASSERT_TRUE(eventually([&] {
        std::vector<protocol::PresenceMember> m;
        b.node.merge_remote_members(b.app(), "presence-room", m);
        return m.size() == 1;
    }));
    EXPECT_TRUE(a.node.has_peers());
}

TEST(ClusterNode, GracefulDepartureIsNotADeath) {
    auto hub = std::make_shared<LoopbackHub>();
    TestNode a(hub);
    auto b = std::make_unique<TestNode>(hub);
    ASSERT_TRUE(eventually([&] { return a.node.has_peers(); }));
    protocol::PresenceMember frank{"frank", "{}"};
    b->node.member_joined(b->app(), "presence-room", frank);
    b->node.member_left(b->app(), "presence-room", "frank");
    b->node.stop();  // announces frank's leave itself, then departs
    EXPECT_EQ(b->hooks.removed, 1);
    ASSERT_TRUE(eventually([&] { return !a.node.has_peers(); }, 1s));  // well before node_timeout
    std::this_thread::sleep_for(400ms);
    EXPECT_EQ(a.hooks.removed, 0);
}
