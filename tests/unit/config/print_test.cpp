// --print-config output: every effective option, secrets redacted, loadable as a config file.
#include <boost/json.hpp>

#include "config_test_support.hpp"

using namespace sockudo::config;
using namespace sockudo::config::test;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

const std::string kSecretsConfig = R"({"ssl": {"passphrase": "pp-secret"},
    "database": {"redis": {"password": "redis-secret", "username": "redis-user"}},
    "adapter": {"nats": {"password": "nats-secret", "token": "nats-token-secret", "servers": ["nats://u:nats-url-secret@n:4222"]}},
    "app_manager": {"array": {"apps": [{"id": "a", "key": "k", "secret": "app-secret-value",
        "webhooks": [{"url": "https://user:url-pass-secret@h.example.com/hook?token=query-secret",
                      "event_types": ["client_event"],
                      "headers": {"Authorization": "Bearer header-secret", "X-Api-Key": "key-secret",
                                  "X-Team": "visible-team"}}]}]}}})";

}  // namespace

TEST(ConfigPrint, SecretsAreNeverPrinted) {
    Options o =
        from_json(kSecretsConfig, {{"REDIS_URL", "redis://:redis-url-secret@127.0.0.1:6379"},
                                   {"SOCKUDO_DEFAULT_APP_ENABLED", "true"}});
    const std::string printed = print_options(o);
    for (const char* secret : {"app-secret-value", "pp-secret", "redis-secret", "nats-secret",
                               "nats-token-secret", "nats-url-secret", "url-pass-secret",
                               "query-secret", "header-secret", "key-secret", "redis-url-secret"}) {
        EXPECT_THAT(printed, Not(HasSubstr(secret))) << secret;
    }
    EXPECT_THAT(printed, HasSubstr("<redacted>"));
    EXPECT_THAT(printed, HasSubstr("visible-team"))
        << "headers that are not credentials stay readable";
    EXPECT_THAT(printed, HasSubstr("redis-user"));
    EXPECT_THAT(printed, HasSubstr("h.example.com/hook")) << "a URL keeps its host and path";
    EXPECT_NO_THROW(boost::json::parse(printed));
}

TEST(ConfigPrint, EnvDefaultAppSecretIsRedacted) {
    Options o = from_json("{}", {{"SOCKUDO_DEFAULT_APP_ID", "env-app"},
                                 {"SOCKUDO_DEFAULT_APP_KEY", "env-key"},
                                 {"SOCKUDO_DEFAULT_APP_SECRET", "env-secret-value"}});
    const std::string printed = print_options(o);
    EXPECT_THAT(printed, HasSubstr("env-app"));
    EXPECT_THAT(printed, Not(HasSubstr("env-secret-value")));
}

TEST(ConfigPrint, PrettyAndComplete) {
    Options o = from_json("{}");
    const std::string printed = print_options(o);
    EXPECT_THAT(printed, HasSubstr("\n  \"port\": 6001,\n")) << printed;
    auto v = boost::json::parse(printed).as_object();
    for (const char* key : {"host",
                            "port",
                            "path_prefix",
                            "debug",
                            "mode",
                            "max_connections",
                            "shutdown_grace_period",
                            "activity_timeout",
                            "user_authentication_timeout",
                            "websocket_max_payload_kb",
                            "health_check_timeout_ms",
                            "workers",
                            "pong_timeout_ms",
                            "instance",
                            "logging",
                            "websocket",
                            "http_api",
                            "metrics",
                            "rate_limiter",
                            "cors",
                            "ssl",
                            "channel_limits",
                            "event_limits",
                            "presence",
                            "adapter",
                            "app_manager",
                            "cache",
                            "queue",
                            "webhooks",
                            "database"}) {
        EXPECT_TRUE(v.contains(key)) << key;
    }
    EXPECT_EQ(v["adapter"].as_object()["cluster_health"].as_object()["node_timeout_ms"].as_int64(),
              30000);
}

TEST(ConfigPrint, OutputLoadsBackToTheSameConfiguration) {
    Options first =
        from_json(R"({"port": 7100, "debug": true, "cors": {"origin": ["https://a.example.com"]},
        "rate_limiter": {"enabled": true, "api_rate_limit": {"max_requests": 7}},
        "logging": {"format": "json"}, "webhooks": {"retry": {"max_attempts": null}},
        "app_manager": {"array": {"apps": [{"id": "a", "key": "k", "secret": "s",
            "policy": {"limits": {"max_presence_members_per_channel": 3},
                       "webhooks": [{"url": "https://h.example.com/x", "event_types": ["member_added"],
                                     "filter": {"channel_prefix": "presence-"}, "headers": {"X-Team": "t"}}]}}]}}})",
                  {{"SOCKUDO_WORKERS", "2"}});
    const std::string printed = print_options(first);
    Options second = from_json(printed);
    EXPECT_TRUE(second.warnings.empty()) << all_warnings(second);
    EXPECT_EQ(print_options(second), printed);
    EXPECT_EQ(second.apps.at(0).limits.max_presence_members_per_channel, 3);
    EXPECT_EQ(second.logging.level, "debug");
}
