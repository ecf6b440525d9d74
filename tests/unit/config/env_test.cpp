// Environment overrides (operations.md §1.2, §1.5) and their precedence over the file.
#include "config_test_support.hpp"

using namespace sockudo::config;
using namespace sockudo::config::test;
using ::testing::HasSubstr;

TEST(ConfigPrecedence, EnvironmentOverridesTheFile) {
    Options o = from_json(
        R"({"port": 7000, "host": "10.0.0.1", "activity_timeout": 30, "metrics": {"port": 9000}})",
        {{"PORT", "8000"}, {"METRICS_PORT", "9100"}, {"HOST", "127.0.0.1"}});
    EXPECT_EQ(o.port, 8000);
    EXPECT_EQ(o.host, "127.0.0.1");
    EXPECT_EQ(o.metrics.port, 9100);
    EXPECT_EQ(o.activity_timeout_s, 30) << "keys without an env value keep the file value";
}

TEST(ConfigPrecedence, ProcessVariables) {
    Options o = from_json("{}", {{"ACTIVITY_TIMEOUT", "42"},
                                 {"SHUTDOWN_GRACE_PERIOD", "7"},
                                 {"USER_AUTHENTICATION_TIMEOUT", "33"},
                                 {"WEBSOCKET_MAX_PAYLOAD_KB", "128"},
                                 {"SOCKUDO_MAX_CONNECTIONS", "5000"},
                                 {"ENVIRONMENT", "production"},
                                 {"HEALTH_CHECK_TIMEOUT_MS", "500"},
                                 {"INSTANCE_PROCESS_ID", "node-a"},
                                 {"HTTP_API_USAGE_ENABLED", "false"},
                                 {"SOCKUDO_WORKERS", "3"},
                                 {"SOCKUDO_WORKER_CPU_AFFINITY", "true"},
                                 {"PONG_TIMEOUT_MS", "1500"},
                                 {"WEBSOCKET_MAX_BACKPRESSURE", "65536"}});
    EXPECT_EQ(o.activity_timeout_s, 42);
    EXPECT_EQ(o.shutdown_grace_period_s, 7);
    EXPECT_EQ(o.user_authentication_timeout_s, 33);
    EXPECT_EQ(o.websocket_max_payload_kb, 128);
    EXPECT_EQ(o.max_connections, 5000);
    EXPECT_EQ(o.mode, "production");
    EXPECT_EQ(o.health_check_timeout_ms, 500);
    EXPECT_EQ(o.instance_process_id, "node-a");
    EXPECT_FALSE(o.http_api.usage_enabled);
    EXPECT_EQ(o.workers, 3);
    EXPECT_TRUE(o.worker_cpu_affinity);
    EXPECT_EQ(o.pong_timeout_ms, 1500);
    EXPECT_EQ(o.max_backpressure_bytes, 65536);
}

TEST(ConfigPrecedence, BadEnvNumbersAreWarnedAndIgnored) {
    Options o = from_json(
        R"({"activity_timeout": 30, "port": 7000})",
        {{"ACTIVITY_TIMEOUT", "soon"}, {"PORT", "70000"}, {"SHUTDOWN_GRACE_PERIOD", "-1"}});
    EXPECT_EQ(o.activity_timeout_s, 30);
    EXPECT_EQ(o.port, 7000);
    EXPECT_EQ(o.shutdown_grace_period_s, 2);
    EXPECT_TRUE(has_warning(o, "ACTIVITY_TIMEOUT=\"soon\""));
    EXPECT_TRUE(has_warning(o, "PORT=\"70000\""));
    EXPECT_TRUE(has_warning(o, "SHUTDOWN_GRACE_PERIOD=\"-1\""))
        << "Sockudo's env numbers are unsigned";
}

TEST(ConfigPrecedence, EnvValuesThatParseButCannotWorkAreFatalAndNameTheVariable) {
    const std::string err = error_of("{}", {{"ACTIVITY_TIMEOUT", "0"}});
    EXPECT_THAT(err, HasSubstr("activity_timeout"));
    EXPECT_THAT(err, HasSubstr("ACTIVITY_TIMEOUT"));
    EXPECT_THAT(err, HasSubstr(": 0"));
}

TEST(ConfigPrecedence, EnvBooleansAcceptTheDocumentedSpellings) {
    for (const char* yes : {"true", "1", "yes", "ON", "True"}) {
        EXPECT_TRUE(from_json(R"({"metrics": {"enabled": false}})", {{"METRICS_ENABLED", yes}})
                        .metrics.enabled)
            << yes;
    }
    for (const char* no : {"false", "0", "no", "OFF"}) {
        EXPECT_FALSE(from_json("{}", {{"METRICS_ENABLED", no}}).metrics.enabled) << no;
    }
    Options o = from_json("{}", {{"METRICS_ENABLED", "perhaps"}});
    EXPECT_TRUE(o.metrics.enabled);
    EXPECT_TRUE(has_warning(o, "METRICS_ENABLED=\"perhaps\" is not a boolean"));
}

TEST(ConfigPrecedence, DebugOnlySwitchesOnAndDebugModeBothWays) {
    EXPECT_TRUE(from_json("{}", {{"DEBUG", "1"}}).debug);
    EXPECT_TRUE(from_json(R"({"debug": true})", {{"DEBUG", "false"}}).debug);
    EXPECT_FALSE(from_json(R"({"debug": true})", {{"DEBUG_MODE", "false"}}).debug);
}

TEST(ConfigPrecedence, TlsCorsMetricsAndRateLimiterVariables) {
    TempDir dir;
    const std::string cert = dir.write("c.pem", "cert");
    const std::string key = dir.write("k.pem", "key");
    Options o = from_json("{}", {{"SSL_ENABLED", "true"},
                                 {"SSL_CERT_PATH", cert},
                                 {"SSL_KEY_PATH", key},
                                 {"SSL_REDIRECT_HTTP", "yes"},
                                 {"SSL_HTTP_PORT", "8080"},
                                 {"CORS_ORIGINS", "https://a.example.com, *.b.example.com"},
                                 {"CORS_METHODS", "GET,POST"},
                                 {"CORS_HEADERS", "Authorization"},
                                 {"CORS_CREDENTIALS", "false"},
                                 {"METRICS_HOST", "127.0.0.1"},
                                 {"METRICS_PROMETHEUS_PREFIX", "edge_"},
                                 {"RATE_LIMITER_ENABLED", "true"},
                                 {"RATE_LIMITER_API_MAX_REQUESTS", "5"},
                                 {"RATE_LIMITER_API_WINDOW_SECONDS", "10"},
                                 {"RATE_LIMITER_API_TRUST_HOPS", "1"},
                                 {"RATE_LIMITER_WS_MAX_REQUESTS", "6"},
                                 {"RATE_LIMITER_WS_WINDOW_SECONDS", "11"},
                                 {"RATE_LIMITER_WS_TRUST_HOPS", "2"},
                                 {"RATE_LIMITER_REDIS_PREFIX", "rl:"}});
    EXPECT_TRUE(o.ssl.enabled);
    EXPECT_EQ(o.ssl.cert_path, cert);
    EXPECT_TRUE(o.ssl.redirect_http);
    EXPECT_EQ(o.ssl.http_port, 8080);
    EXPECT_EQ(o.cors.origin,
              (std::vector<std::string>{"https://a.example.com", "*.b.example.com"}));
    EXPECT_EQ(o.cors.methods, (std::vector<std::string>{"GET", "POST"}));
    EXPECT_EQ(o.cors.allowed_headers, std::vector<std::string>{"Authorization"});
    EXPECT_FALSE(o.cors.credentials);
    EXPECT_EQ(o.metrics.host, "127.0.0.1");
    EXPECT_EQ(o.metrics.prefix, "edge_");
    EXPECT_TRUE(o.rate_limiter.enabled);
    EXPECT_EQ(o.rate_limiter.api.max_requests, 5);
    EXPECT_EQ(o.rate_limiter.api.window_seconds, 10);
    EXPECT_EQ(o.rate_limiter.api.trust_hops, 1);
    EXPECT_EQ(o.rate_limiter.websocket.max_requests, 6);
    EXPECT_EQ(o.rate_limiter.websocket.window_seconds, 11);
    EXPECT_EQ(o.rate_limiter.websocket.trust_hops, 2);
    EXPECT_EQ(o.rate_limiter.redis_prefix, "rl:");
}

TEST(ConfigPrecedence, InvalidCorsOriginFromEnvIsDroppedWithAWarning) {
    Options o = from_json("{}", {{"CORS_ORIGINS", "https://ok.example.com,*.*.bad"}});
    EXPECT_EQ(o.cors.origin, std::vector<std::string>{"https://ok.example.com"});
    EXPECT_TRUE(has_warning(o, "CORS_ORIGINS: invalid origin pattern \"*.*.bad\""));
}

TEST(ConfigPrecedence, RedisAndNatsConnections) {
    Options o = from_json(R"({"database": {"redis": {"host": "file-host", "password": "p"}}})",
                          {{"REDIS_URL", "redis://r:6379/1"},
                           {"DATABASE_REDIS_HOST", "env-host"},
                           {"DATABASE_REDIS_PORT", "6380"},
                           {"DATABASE_REDIS_DB", "2"},
                           {"DATABASE_REDIS_USERNAME", ""},
                           {"DATABASE_REDIS_KEY_PREFIX", "k:"},
                           {"NATS_SERVERS", "nats://a:4222, nats://b:4222"},
                           {"NATS_TOKEN", "tok"}});
    EXPECT_EQ(o.database.redis_url_override, "redis://r:6379/1");
    EXPECT_EQ(o.database.redis_host, "env-host");
    EXPECT_EQ(o.database.redis_port, 6380);
    EXPECT_EQ(o.database.redis_db, 2);
    EXPECT_FALSE(o.database.redis_username.has_value()) << "empty username means none";
    EXPECT_EQ(o.database.redis_password, "p");
    EXPECT_EQ(o.database.redis_key_prefix, "k:");
    EXPECT_EQ(o.adapter.nats_servers, (std::vector<std::string>{"nats://a:4222", "nats://b:4222"}));
    EXPECT_EQ(o.adapter.nats_token, "tok");
}

TEST(ConfigPrecedence, CacheTtlFansOut) {
    Options o = from_json("{}", {{"CACHE_TTL_SECONDS", "90"}});
    EXPECT_EQ(o.limits.cache_ttl_seconds, 90);
    EXPECT_EQ(o.app_manager_cache_ttl_s, 90);
}

TEST(ConfigPrecedence, ClusterHealthVariablesReachTheAdapter) {
    Options o = from_json(
        R"({"cluster_health": {"node_timeout_ms": 60000}})",
        {{"CLUSTER_HEALTH_HEARTBEAT_INTERVAL", "5000"}, {"CLUSTER_HEALTH_ENABLED", "false"}});
    EXPECT_EQ(o.adapter.node_timeout_ms, 60000) << "the top-level section applies to the adapter";
    EXPECT_EQ(o.adapter.heartbeat_interval_ms, 5000);
    EXPECT_FALSE(o.adapter.cluster_health_enabled);
    Options both = from_json(R"({"cluster_health": {"node_timeout_ms": 60000},
                                 "adapter": {"cluster_health": {"node_timeout_ms": 45000}}})");
    EXPECT_EQ(both.adapter.node_timeout_ms, 45000) << "the adapter's own section wins";
}

TEST(ConfigPrecedence, UnsupportedVariablesAreWarnedAbout) {
    Options o = from_json("{}", {{"UNIX_SOCKET_ENABLED", "true"}, {"SOCKUDO_SERVER_ROLE", "api"}});
    EXPECT_TRUE(has_warning(
        o, "environment variable UNIX_SOCKET_ENABLED is not supported by this server (ignored)"));
    EXPECT_TRUE(has_warning(o, "SOCKUDO_SERVER_ROLE"));
}

TEST(ConfigLogging, OutputFormatAndSwitches) {
    EXPECT_TRUE(from_json("{}", {{"LOG_OUTPUT_FORMAT", "json"}}).logging.json);
    EXPECT_FALSE(from_json("{}", {{"LOG_OUTPUT_FORMAT", "JSON"}}).logging.json)
        << "only the exact lowercase value";
    EXPECT_TRUE(from_json(R"({"logging": {"format": "json"}})").logging.json);
    Options o = from_json(R"({"logging": {"colors_enabled": true}})",
                          {{"LOG_COLORS_ENABLED", "false"}, {"LOG_INCLUDE_TARGET", "0"}});
    EXPECT_FALSE(o.logging.colors_enabled);
    EXPECT_FALSE(o.logging.include_target);
}

TEST(ConfigLogging, LevelPrecedence) {
    EXPECT_EQ(from_json("{}").logging.level, "info");
    EXPECT_EQ(from_json(R"({"debug": true})").logging.level, "debug");
    EXPECT_EQ(from_json("{}", {{"SOCKUDO_LOG_PROD", "warn"}}).logging.level, "warn");
    EXPECT_EQ(from_json(R"({"debug": true})", {{"SOCKUDO_LOG_DEBUG", "trace"}}).logging.level,
              "trace");
    EXPECT_EQ(from_json(R"({"logging": {"level": "error"}})", {{"SOCKUDO_LOG_PROD", "warn"}})
                  .logging.level,
              "error");
    EXPECT_EQ(
        from_json(R"({"logging": {"level": "error"}})", {{"RUST_LOG", "debug"}}).logging.level,
        "debug");
    EXPECT_EQ(from_json("{}", {{"RUST_LOG", "info,sockudo=trace,tower_http=debug"}}).logging.level,
              "trace");
    EXPECT_EQ(from_json("{}", {{"RUST_LOG", "warn,hyper=debug"}}).logging.level, "warn");
    Options bad = from_json("{}", {{"RUST_LOG", "loud"}});
    EXPECT_EQ(bad.logging.level, "info");
    EXPECT_TRUE(has_warning(bad, "RUST_LOG"));
    EXPECT_THAT(error_of(R"({"logging": {"level": "verbose"}})"), HasSubstr("logging.level"));
}
