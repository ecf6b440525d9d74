// What only the NATS transport has: user/password and token authentication, and a server list
// in which some servers are down.

#include "cluster/nats_transport.hpp"

#include <gtest/gtest.h>

#include "service_process.hpp"
#include "transport_recorder.hpp"

namespace sockudo::testing {
namespace {

using cluster::Channel;

class NatsTransportTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (find_binary("nats-server").empty()) GTEST_SKIP() << "nats-server is not installed";
        port_ = free_port();
    }
    config::Options options() const {
        config::Options o;
        o.adapter.nats_servers = {"nats://127.0.0.1:" + std::to_string(port_)};
        o.adapter.nats_prefix = "auth:";
        o.adapter.nats_connection_timeout_ms = 1000;
        return o;
    }
    cluster::TransportPtr start(const config::Options& o, TransportRecorder& r,
                                const std::string& id = "node-a") {
        auto t = cluster::make_nats_transport(o);
        t->start(id, r.handlers());
        return t;
    }

    uint16_t port_ = 0;
    ServiceProcess nats_;
};

TEST_F(NatsTransportTest, AuthenticatesWithUserAndPassword) {
    ASSERT_TRUE(start_nats(nats_, port_, {"--user", "alice", "--pass", "s3cret"}));
    config::Options good = options();
    good.adapter.nats_username = "alice";
    good.adapter.nats_password = "s3cret";
    TransportRecorder a, b, refused;
    auto ta = start(good, a);
    auto tb = start(good, b, "node-b");
    ASSERT_TRUE(a.wait_state(true));
    ASSERT_TRUE(b.wait_state(true));
    ASSERT_TRUE(ta->publish(Channel::Node, "hello", "node-b"));
    ASSERT_TRUE(b.wait_count(Channel::Node, 1));

    config::Options bad = good;
    bad.adapter.nats_password = "wrong";
    auto tr = start(bad, refused);
    EXPECT_TRUE(refused.wait_state(false));
    std::this_thread::sleep_for(700ms);  // past the first reconnect attempt
    EXPECT_FALSE(tr->up());
    EXPECT_FALSE(tr->publish(Channel::Broadcast, "x"));

    // libnats closes a connection whose login is refused; the transport makes a new one, so it
    // comes up once the server accepts the credentials.
    ASSERT_TRUE(start_nats(nats_, port_, {"--user", "alice", "--pass", "wrong"}));
    EXPECT_TRUE(refused.wait_state(true, 15000ms));
    EXPECT_TRUE(tr->up());
}

TEST_F(NatsTransportTest, AuthenticatesWithAToken) {
    ASSERT_TRUE(start_nats(nats_, port_, {"--auth", "tok-123"}));
    config::Options o = options();
    o.adapter.nats_token = "tok-123";
    TransportRecorder r;
    auto t = start(o, r);
    ASSERT_TRUE(r.wait_state(true));
    ASSERT_TRUE(t->publish(Channel::Responses, "x"));
    ASSERT_TRUE(r.wait_count(Channel::Responses, 1));
}

TEST_F(NatsTransportTest, UsesTheServersThatAreUp) {
    ASSERT_TRUE(start_nats(nats_, port_));
    config::Options o = options();
    o.adapter.nats_servers = {"nats://127.0.0.1:" + std::to_string(free_port()),
                              "nats://127.0.0.1:" + std::to_string(port_)};
    TransportRecorder r;
    auto t = start(o, r);
    ASSERT_TRUE(r.wait_state(true, 10000ms));
    ASSERT_TRUE(t->publish(Channel::Broadcast, "x"));
    ASSERT_TRUE(r.wait_count(Channel::Broadcast, 1));
}

}  // namespace
}  // namespace sockudo::testing
