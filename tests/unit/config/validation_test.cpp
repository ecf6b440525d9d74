// Invalid values stop start-up with a message naming the key path and the value.
#include "config_test_support.hpp"

using namespace sockudo::config;
using namespace sockudo::config::test;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(ConfigValidation, TypeErrorsNameKeyPathAndValue) {
    EXPECT_THAT(error_of(R"({"port": 70000})"), AllOf(HasSubstr("port"), HasSubstr("70000")));
    EXPECT_THAT(error_of(R"({"port": "not-a-number"})"),
                AllOf(HasSubstr("port"), HasSubstr("\"not-a-number\"")));
    EXPECT_THAT(error_of(R"({"metrics": {"port": "nine"}})"),
                HasSubstr("invalid value for metrics.port: \"nine\""));
    EXPECT_THAT(error_of(R"({"debug": "maybe"})"), AllOf(HasSubstr("debug"), HasSubstr("maybe")));
    EXPECT_THAT(error_of(R"({"activity_timeout": {"nested": true}})"),
                HasSubstr("activity_timeout"));
    EXPECT_THAT(error_of(R"({"host": 5})"),
                HasSubstr("invalid value for host: 5 (expected a string)"));
    EXPECT_THAT(error_of(R"({"cors": {"origin": 5}})"), HasSubstr("cors.origin"));
    EXPECT_THAT(error_of(R"({"metrics": []})"), HasSubstr("invalid value for metrics: []"));
    EXPECT_THAT(error_of(R"({"activity_timeout": 1.5})"),
                AllOf(HasSubstr("activity_timeout"), HasSubstr("1.5")));
}

TEST(ConfigValidation, HugeNumbersAreRejectedNotWrapped) {
    EXPECT_THAT(error_of(R"({"activity_timeout": 1e300})"), HasSubstr("activity_timeout"));
    EXPECT_THAT(error_of(R"({"activity_timeout": 18446744073709551615})"),
                HasSubstr("activity_timeout"));
    EXPECT_THAT(error_of(R"({"activity_timeout": "99999999999999999999"})"),
                HasSubstr("activity_timeout"));
    EXPECT_THAT(error_of(R"({"activity_timeout": 9000000000000})"),
                HasSubstr("activity_timeout: 9000000000000 (expected at most 1000000000)"));
}

TEST(ConfigValidation, RangesOfTopLevelValues) {
    EXPECT_THAT(error_of(R"({"activity_timeout": 0})"),
                HasSubstr("invalid value for activity_timeout: 0"));
    EXPECT_THAT(error_of(R"({"websocket_max_payload_kb": 0})"),
                HasSubstr("websocket_max_payload_kb"));
    EXPECT_THAT(error_of(R"({"user_authentication_timeout": -5})"),
                HasSubstr("user_authentication_timeout: -5"));
    EXPECT_THAT(error_of(R"({"shutdown_grace_period": -1})"), HasSubstr("shutdown_grace_period"));
    EXPECT_THAT(error_of(R"({"path_prefix": "api"})"), HasSubstr("path_prefix: \"api\""));
    EXPECT_THAT(error_of(R"({"http_api": {"request_limit_in_mb": 0}})"),
                HasSubstr("http_api.request_limit_in_mb"));
    EXPECT_THAT(error_of(R"({"event_limits": {"max_batch_size": 0}})"),
                HasSubstr("event_limits.max_batch_size: 0"));
    EXPECT_THAT(error_of(R"({"rate_limiter": {"api_rate_limit": {"window_seconds": 0}}})"),
                HasSubstr("rate_limiter.api_rate_limit.window_seconds"));
    EXPECT_THAT(
        error_of(R"({"webhooks": {"retry": {"initial_backoff_ms": 5000, "max_backoff_ms": 100}}})"),
        HasSubstr("webhooks.retry.max_backoff_ms: 100"));
    EXPECT_THAT(error_of(R"({"database": {"redis": {"port": 0}}})"),
                HasSubstr("database.redis.port"));
}

TEST(ConfigValidation, NodeWideNegativeConnectionCapMeansUnlimited) {
    EXPECT_EQ(from_json(R"({"max_connections": -1})").max_connections, 0);
}

TEST(ConfigValidation, ListenerPortsMayBeZeroButMustNotCollide) {
    EXPECT_EQ(from_json(R"({"port": 0, "metrics": {"port": 0}})").port, 0)
        << "0 asks the kernel for a free port";
    EXPECT_THAT(error_of(R"({"port": 7000, "metrics": {"port": 7000}})"),
                HasSubstr("metrics.port: 7000"));
    EXPECT_NO_THROW(from_json(R"({"port": 7000, "metrics": {"port": 7000, "enabled": false}})"));
    EXPECT_THAT(error_of(R"({"metrics": {"prometheus": {"prefix": "bad-prefix"}}})"),
                HasSubstr("metrics.prometheus.prefix"));
}

TEST(ConfigValidation, TlsNeedsReadableCertificateAndKey) {
    EXPECT_THAT(error_of(R"({"ssl": {"enabled": true}})"), HasSubstr("ssl.cert_path"));
    EXPECT_THAT(
        error_of(
            R"({"ssl": {"enabled": true, "cert_path": "/nonexistent/c.pem", "key_path": "/nonexistent/k.pem"}})"),
        AllOf(HasSubstr("ssl.cert_path"), HasSubstr("/nonexistent/c.pem")));
    EXPECT_THAT(error_of("{}", {{"SSL_ENABLED", "true"},
                                {"SSL_CERT_PATH", "/nonexistent/c.pem"},
                                {"SSL_KEY_PATH", "/x"}}),
                HasSubstr("SSL_CERT_PATH"));
    Options o = from_json(R"({"ssl": {"cert_path": "/a", "key_path": "/b"}})");
    EXPECT_TRUE(has_warning(o, "ssl.enabled is false"));
}

TEST(ConfigValidation, ClusterHealthIntervalsMustFit) {
    EXPECT_THAT(error_of(R"({"adapter": {"cluster_health": {"heartbeat_interval_ms": 20000}}})"),
                HasSubstr("adapter.cluster_health.heartbeat_interval_ms: 20000"));
    EXPECT_THAT(error_of(R"({"adapter": {"cluster_health": {"cleanup_interval_ms": 40000}}})"),
                HasSubstr("adapter.cluster_health.cleanup_interval_ms"));
    EXPECT_THAT(error_of("{}", {{"CLUSTER_HEALTH_NODE_TIMEOUT", "0"}}),
                HasSubstr("CLUSTER_HEALTH_NODE_TIMEOUT"));
    EXPECT_TRUE(
        has_warning(from_json(R"({"adapter": {"cluster_health": {"heartbeat_interval_ms": 500}}})"),
                    "below 1000 ms"));
}

TEST(ConfigValidation, CorsOriginPatternsAreCheckedInFiles) {
    const std::string err =
        error_of(R"({"cors": {"origin": ["https://ok.example.com", "*.*.bad"]}})");
    EXPECT_THAT(err, HasSubstr("cors.origin"));
    EXPECT_THAT(err, HasSubstr("*.*.bad"));
}
