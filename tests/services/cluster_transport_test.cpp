// The Redis and NATS cluster transports against real brokers: the same scenarios for both
// (parameterised by driver), then each driver's own concerns.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "cluster/nats_transport.hpp"
#include "cluster/redis_transport.hpp"
#include "config/options.hpp"
#include "service_process.hpp"
#include "transport_recorder.hpp"

namespace sockudo::testing {
namespace {

using cluster::Channel;
using Clock = std::chrono::steady_clock;

struct Broker {
    std::string driver;
    uint16_t port = 0;
    ServiceProcess process;

    bool available() const {
        return !find_binary(driver == "redis" ? "redis-server" : "nats-server").empty();
    }
    bool start() {
        return driver == "redis" ? start_redis(process, port) : start_nats(process, port);
    }

    config::Options options(const std::string& prefix) const {
        config::Options o;
        if (driver == "redis") {
            o.database.redis_url_override = "redis://127.0.0.1:" + std::to_string(port);
            o.adapter.redis_prefix = prefix;
        } else {
            o.adapter.nats_servers = {"nats://127.0.0.1:" + std::to_string(port)};
            o.adapter.nats_prefix = prefix;
            o.adapter.nats_connection_timeout_ms = 1000;
        }
        return o;
    }
    cluster::TransportPtr make(const std::string& prefix) const {
        return driver == "redis" ? cluster::make_redis_transport(options(prefix))
                                 : cluster::make_nats_transport(options(prefix));
    }
};

class TransportTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        broker_.driver = GetParam();
        if (!broker_.available()) GTEST_SKIP() << broker_.driver << "-server is not installed";
        broker_.port = free_port();
        ASSERT_TRUE(broker_.start()) << "cannot start " << broker_.driver << "-server";
    }

    // A started transport and its recorder, waited up. The recorder is declared first so that it
    // outlives the transport: the transport's threads may still be delivering (a node hears its
    // own requests and responses, which a test need not wait for) until its destructor stops them.
    struct Node {
        std::unique_ptr<TransportRecorder> recorder = std::make_unique<TransportRecorder>();
        cluster::TransportPtr transport;
    };
    Node node(const std::string& prefix, const std::string& id, bool wait_up = true) {
        Node n;
        n.transport = broker_.make(prefix);
        n.transport->start(id, n.recorder->handlers());
        if (wait_up) {
            EXPECT_TRUE(n.recorder->wait_state(true)) << id << " never came up";
        }
        return n;
    }

    Broker broker_;
};

TEST_P(TransportTest, NodesWithOnePrefixExchangeEveryChannelInOrder) {
    Node a = node("p1:", "node-a");
    Node b = node("p1:", "node-b");
    constexpr int kCount = 200;
    for (int i = 0; i < kCount; ++i) {
        const std::string n = std::to_string(i);
        ASSERT_TRUE(a.transport->publish(Channel::Broadcast, "b" + n));
        ASSERT_TRUE(a.transport->publish(Channel::Requests, "q" + n));
        ASSERT_TRUE(a.transport->publish(Channel::Responses, "r" + n));
        ASSERT_TRUE(a.transport->publish(Channel::Node, "n" + n, "node-b"));
    }
    for (Channel c : {Channel::Broadcast, Channel::Requests, Channel::Responses, Channel::Node}) {
        ASSERT_TRUE(b.recorder->wait_count(c, kCount)) << "channel " << static_cast<int>(c);
    }
    const char tags[] = {'b', 'q', 'r', 'n'};
    int t = 0;
    for (Channel c : {Channel::Broadcast, Channel::Requests, Channel::Responses, Channel::Node}) {
        const auto got = b.recorder->messages(c);
        ASSERT_EQ(got.size(), static_cast<size_t>(kCount));
        for (int i = 0; i < kCount; ++i) EXPECT_EQ(got[i], tags[t] + std::to_string(i));
        ++t;
    }
    // No echo filtering in the driver: the sender hears its own broadcasts too.
    EXPECT_TRUE(a.recorder->wait_count(Channel::Broadcast, kCount));
    EXPECT_EQ(b.recorder->foreign_threads(), 0) << "handlers ran on more than one thread";
    EXPECT_EQ(a.transport->stats().published, 4u * kCount);
    EXPECT_GE(b.transport->stats().received, 4u * kCount);
}

TEST_P(TransportTest, NodeMessagesReachOnlyTheirTarget) {
    Node a = node("p2:", "node-a");
    Node b = node("p2:", "node-b");
    Node c = node("p2:", "node-c");
    ASSERT_TRUE(a.transport->publish(Channel::Node, "to-c", "node-c"));
    ASSERT_TRUE(a.transport->publish(Channel::Node, "to-b", "node-b"));
    ASSERT_TRUE(c.recorder->wait_count(Channel::Node, 1));
    ASSERT_TRUE(b.recorder->wait_count(Channel::Node, 1));
    // A broadcast sent after them arrives after them: by then any stray copy would have too.
    ASSERT_TRUE(a.transport->publish(Channel::Broadcast, "fence"));
    for (Node* n : {&a, &b, &c}) ASSERT_TRUE(n->recorder->wait_count(Channel::Broadcast, 1));
    EXPECT_EQ(b.recorder->messages(Channel::Node), std::vector<std::string>{"to-b"});
    EXPECT_EQ(c.recorder->messages(Channel::Node), std::vector<std::string>{"to-c"});
    EXPECT_EQ(a.recorder->count(Channel::Node), 0u);
    EXPECT_FALSE(a.transport->publish(Channel::Node, "nobody", ""))
        << "a Node message needs a target";
}

TEST_P(TransportTest, DifferentPrefixesNeverCrossTalk) {
    Node a = node("app-one:", "node-a");
    Node b = node("app-one:", "node-b");
    Node other = node("app-two:", "node-b");  // same node id, other prefix
    for (Channel ch : {Channel::Broadcast, Channel::Requests, Channel::Responses}) {
        ASSERT_TRUE(a.transport->publish(ch, "one"));
    }
    ASSERT_TRUE(a.transport->publish(Channel::Node, "one", "node-b"));
    ASSERT_TRUE(b.recorder->wait_count(Channel::Node, 1));
    ASSERT_TRUE(b.recorder->wait_count(Channel::Broadcast, 1));
    // The broker handled a's messages before this one; `other` sees its own fence and nothing else.
    ASSERT_TRUE(other.transport->publish(Channel::Broadcast, "fence"));
    ASSERT_TRUE(other.recorder->wait_count(Channel::Broadcast, 1));
    ASSERT_TRUE(b.transport->publish(Channel::Responses, "fence-2"));
    ASSERT_TRUE(b.recorder->wait_count(Channel::Responses, 2));
    EXPECT_EQ(other.recorder->total(), 1u);
    EXPECT_EQ(other.recorder->messages(Channel::Broadcast), std::vector<std::string>{"fence"});
    EXPECT_FALSE(a.recorder->contains(Channel::Broadcast, "fence"));
}

TEST_P(TransportTest, PublishWhileTheBrokerIsDownFailsFastAndReportsDown) {
    broker_.process.kill();
    Node a = node("p3:", "node-a", /*wait_up=*/false);
    EXPECT_TRUE(a.recorder->wait_state(false)) << "an unreachable broker is reported down";
    EXPECT_FALSE(a.transport->up());
    const auto started = Clock::now();
    int refused = 0;
    for (int i = 0; i < 20000; ++i) {
        if (!a.transport->publish(Channel::Broadcast, std::string(100, 'x'))) ++refused;
    }
    const auto took = Clock::now() - started;
    EXPECT_EQ(refused, 20000);
    EXPECT_LT(took, 1000ms) << "publish() must not wait for the network";
    EXPECT_EQ(a.transport->stats().dropped, 20000u);
    // The broker comes up after the transport: it connects in the background.
    ASSERT_TRUE(broker_.start());
    EXPECT_TRUE(a.recorder->wait_state(true, 15000ms));
}

TEST_P(TransportTest, BrokerLossIsReportedAndRecoveredOnRestart) {
    Node a = node("p4:", "node-a");
    Node b = node("p4:", "node-b");
    ASSERT_TRUE(a.transport->publish(Channel::Broadcast, "before"));
    ASSERT_TRUE(b.recorder->wait_count(Channel::Broadcast, 1));

    broker_.process.kill();
    EXPECT_TRUE(a.recorder->wait_state(false)) << "a killed broker is reported down";
    EXPECT_TRUE(b.recorder->wait_state(false));
    EXPECT_FALSE(a.transport->up());

    ASSERT_TRUE(broker_.start()) << "restart on the same port";
    ASSERT_TRUE(a.recorder->wait_state(true, 15000ms)) << "reconnects after the restart";
    ASSERT_TRUE(b.recorder->wait_state(true, 15000ms));
    EXPECT_TRUE(a.transport->up());
    // Subscriptions were made again: messages flow as before.
    ASSERT_TRUE(eventually(
        [&] {
            a.transport->publish(Channel::Requests, "after");
            return b.recorder->wait_count(Channel::Requests, 1, 200ms);
        },
        5000ms));
    EXPECT_TRUE(a.transport->publish(Channel::Node, "direct", "node-b"));
    EXPECT_TRUE(b.recorder->wait_count(Channel::Node, 1));
    EXPECT_GE(a.transport->stats().reconnections, 1u);
    EXPECT_EQ(a.recorder->states().front(), true);
}

TEST_P(TransportTest, StopIsPromptIdempotentAndSilent) {
    Node a = node("p5:", "node-a");
    Node b = node("p5:", "node-b");
    for (int i = 0; i < 1000; ++i) a.transport->publish(Channel::Broadcast, "m");
    auto started = Clock::now();
    b.transport->stop();
    b.recorder->mark_stopped();
    EXPECT_LT(Clock::now() - started, 2000ms);
    b.transport->stop();
    EXPECT_FALSE(b.transport->publish(Channel::Broadcast, "after stop"));
    for (int i = 0; i < 100; ++i) a.transport->publish(Channel::Broadcast, "m");
    ASSERT_TRUE(a.recorder->wait_count(Channel::Broadcast, 1100));
    EXPECT_EQ(b.recorder->after_stop(), 0) << "a handler ran after stop() returned";

    // Also prompt while it is reconnecting.
    broker_.process.kill();
    ASSERT_TRUE(a.recorder->wait_state(false));
    started = Clock::now();
    a.transport->stop();
    EXPECT_LT(Clock::now() - started, 2000ms);
}

INSTANTIATE_TEST_SUITE_P(Drivers, TransportTest, ::testing::Values("redis", "nats"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sockudo::testing
