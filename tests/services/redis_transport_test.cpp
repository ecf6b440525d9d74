// What only the Redis transport has: AUTH (password, ACL user) and SELECT from the URL, the
// bounded publisher queue, and stale-connection detection by PING.

#include "cluster/redis_transport.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "config/load.hpp"
#include "config/redis_url.hpp"
#include "service_process.hpp"
#include "transport_recorder.hpp"

namespace sockudo::testing {
namespace {

using cluster::Channel;
using Clock = std::chrono::steady_clock;

class RedisTransportTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (find_binary("redis-server").empty()) GTEST_SKIP() << "redis-server is not installed";
        port_ = free_port();
    }
    std::string url(const std::string& auth, int db) const {
        return "redis://" + auth + "127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
    }
    cluster::TransportPtr start(const std::string& redis_url, TransportRecorder& r,
                                const std::string& id = "node-a") {
        config::Options o;
        o.database.redis_url_override = redis_url;
        auto t = cluster::make_redis_transport(o);
        t->start(id, r.handlers());
        return t;
    }

    uint16_t port_ = 0;
    ServiceProcess redis_;
};

TEST_F(RedisTransportTest, AuthenticatesWithPasswordAndSelectsTheDatabase) {
    ASSERT_TRUE(start_redis(redis_, port_, {"--requirepass", "s3cret/+@"}));
    TransportRecorder a, b, wrong, bad_db;
    auto ta = start(url(":s3cret%2F%2B%40@", 3), a);
    auto tb = start(url(":s3cret%2F%2B%40@", 3), b, "node-b");
    ASSERT_TRUE(a.wait_state(true));
    ASSERT_TRUE(b.wait_state(true));
    ASSERT_TRUE(ta->publish(Channel::Node, "hello", "node-b"));
    ASSERT_TRUE(b.wait_count(Channel::Node, 1));

    auto tw = start(url(":nope@", 0), wrong);
    EXPECT_TRUE(wrong.wait_state(false)) << "a refused AUTH is reported down";
    // Redis has 16 databases by default: SELECT 99 is refused, which shows SELECT is sent.
    auto td = start(url(":s3cret%2F%2B%40@", 99), bad_db);
    EXPECT_TRUE(bad_db.wait_state(false));
    std::this_thread::sleep_for(700ms);  // past the first reconnect attempt
    EXPECT_FALSE(tw->up());
    EXPECT_FALSE(td->up());
}

TEST_F(RedisTransportTest, AuthenticatesAnAclUser) {
    ASSERT_TRUE(start_redis(redis_, port_, {"--user", "alice", "on", ">pw", "~*", "&*", "+@all"}));
    TransportRecorder a, anonymous;
    auto ta = start(url("alice:pw@", 0), a);
    ASSERT_TRUE(a.wait_state(true));
    ASSERT_TRUE(ta->publish(Channel::Broadcast, "x"));
    ASSERT_TRUE(a.wait_count(Channel::Broadcast, 1));
}

TEST_F(RedisTransportTest, BuildsTheUrlFromDatabaseRedisWithoutOverride) {
    ASSERT_TRUE(start_redis(redis_, port_, {"--requirepass", "p@ss word"}));
    config::Options o;
    o.database.redis_host = "127.0.0.1";
    o.database.redis_port = port_;
    o.database.redis_password = "p@ss word";
    o.database.redis_db = 2;
    EXPECT_EQ(config::redis_url(o),
              "redis://:p%40ss%20word@127.0.0.1:" + std::to_string(port_) + "/2");
    TransportRecorder r;
    auto t = cluster::make_redis_transport(o);
    t->start("node-a", r.handlers());
    EXPECT_TRUE(r.wait_state(true));

    o.database.redis_url_override = "http://127.0.0.1/";
    EXPECT_THROW(cluster::make_redis_transport(o), config::ConfigError);
}

// A broker that stops reading (SIGSTOP): publish() keeps returning at once, refuses messages
// beyond the queue bound, and the silent connection is declared dead by the PING check.
TEST_F(RedisTransportTest, QueueBoundHoldsAndAStalledBrokerIsDetected) {
    ASSERT_TRUE(start_redis(redis_, port_));
    TransportRecorder r;
    auto t = start(url("", 0), r);
    ASSERT_TRUE(r.wait_state(true));
    redis_.signal(SIGSTOP);
    const std::string payload(1024, 'x');
    uint64_t refused = 0;
    Clock::duration slowest{};
    constexpr uint64_t kAttempts = 100000;  // 100 MiB: far beyond queue + socket buffers
    for (uint64_t i = 0; i < kAttempts; ++i) {
        const auto started = Clock::now();
        if (!t->publish(Channel::Broadcast, payload)) ++refused;
        slowest = std::max(slowest, Clock::now() - started);
    }
    EXPECT_LT(slowest, 500ms) << "publish() blocked";
    // 10,000 queued messages + one 1 MiB write + the kernel's socket buffers at most.
    EXPECT_GT(refused, kAttempts - 40000);
    EXPECT_EQ(t->stats().dropped, refused);
    EXPECT_TRUE(r.wait_state(false, 15000ms)) << "a silent broker is detected";
    redis_.signal(SIGCONT);
    EXPECT_TRUE(r.wait_state(true, 15000ms));
}

// rediss://: the server certificate is verified against the CA store OpenSSL is given
// (SSL_CERT_FILE here), including the host name.
TEST_F(RedisTransportTest, ConnectsOverTlsAndVerifiesTheServer) {
    if (find_binary("openssl").empty()) GTEST_SKIP() << "openssl is not installed";
    char dir_template[] = "/tmp/sockudo-tls-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    const std::string dir = dir_template;
    const std::string script =
        "cd " + dir +
        " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 "
        "-subj /CN=test-ca"
        " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "-subj /CN=localhost"
        " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost' > ext.cnf"
        " && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
        "-out server.crt -days 2 -extfile ext.cnf";
    ASSERT_EQ(std::system((script + " >/dev/null 2>&1").c_str()), 0) << "certificate generation";
    ASSERT_TRUE(start_redis(redis_, port_,
                            {"--port", "0", "--tls-port", std::to_string(port_), "--tls-cert-file",
                             dir + "/server.crt", "--tls-key-file", dir + "/server.key",
                             "--tls-ca-cert-file", dir + "/ca.crt", "--tls-auth-clients", "no"}));
    const std::string tls_url = "rediss://127.0.0.1:" + std::to_string(port_) + "/1";

    ::setenv("SSL_CERT_FILE", (dir + "/ca.crt").c_str(), 1);
    TransportRecorder a, b;
    auto ta = start(tls_url, a);
    auto tb = start(tls_url, b, "node-b");
    EXPECT_TRUE(a.wait_state(true)) << "TLS with a trusted CA";
    EXPECT_TRUE(b.wait_state(true));
    EXPECT_TRUE(ta->publish(Channel::Node, "over-tls", "node-b"));
    EXPECT_TRUE(b.wait_count(Channel::Node, 1));

    ::setenv("SSL_CERT_FILE", (dir + "/missing.crt").c_str(), 1);
    TransportRecorder untrusted;
    auto tu = start(tls_url, untrusted);
    EXPECT_TRUE(untrusted.wait_state(false)) << "an untrusted certificate is refused";
    std::this_thread::sleep_for(700ms);
    EXPECT_FALSE(tu->up());
    ::unsetenv("SSL_CERT_FILE");
    std::system(("rm -rf " + dir).c_str());
}

TEST(RedisUrl, ParsesTheFormsSockudoAccepts) {
    std::string error;
    auto t = config::parse_redis_url("rediss://user:p%40ss@redis.example:6380/4", error);
    ASSERT_TRUE(t) << error;
    EXPECT_TRUE(t->tls);
    EXPECT_EQ(t->host, "redis.example");
    EXPECT_EQ(t->port, 6380);
    EXPECT_EQ(t->username, "user");
    EXPECT_EQ(t->password, "p@ss");
    EXPECT_EQ(t->db, 4);
    t = config::parse_redis_url("redis://:pw@127.0.0.1", error);
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->username);
    EXPECT_EQ(t->password, "pw");
    EXPECT_EQ(t->port, 6379);
    EXPECT_EQ(t->db, 0);
    EXPECT_FALSE(config::parse_redis_url("redis://host/x", error));
    EXPECT_FALSE(config::parse_redis_url("nats://host", error));

    config::Options o;
    o.database.redis_host = "rediss://secure.example";
    o.database.redis_username = "u";
    o.database.redis_password = "p";
    EXPECT_EQ(config::redis_url(o), "rediss://u:p@secure.example:6379/0");
}

}  // namespace
}  // namespace sockudo::testing
