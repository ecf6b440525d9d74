// Keys the server does not read are reported: Sockudo keys it does not support, and unknown
// keys (typos), with a suggestion when one is close.
#include "config_test_support.hpp"

using namespace sockudo::config;
using namespace sockudo::config::test;

TEST(ConfigWarnings, UnknownAndUnsupportedKeysAreReported) {
    Options o = from_json(R"({"some_unknown_key": 1, "metrics": {"tcp_exporter": {"enabled": true}},
                              "history": {"enabled": true}, "unix_socket": {"enabled": false}, "port": 6001})");
    EXPECT_TRUE(has_warning(o, "unknown configuration key some_unknown_key (ignored)"));
    EXPECT_TRUE(has_warning(
        o, "configuration key metrics.tcp_exporter is not supported by this server (ignored)"));
    EXPECT_TRUE(
        has_warning(o, "configuration key history is not supported by this server (ignored)"));
    EXPECT_TRUE(has_warning(o, "unix_socket is not supported"));
    EXPECT_FALSE(has_warning(o, "history.enabled")) << "a section is reported once, not key by key";
    EXPECT_FALSE(has_warning(o, "key port ")) << "keys that are read are not reported";
    EXPECT_EQ(o.warnings.size(), 4u) << all_warnings(o);
}

TEST(ConfigWarnings, TyposInsideSupportedSectionsAreUnknownWithASuggestion) {
    Options o = from_json(
        R"({"metrics": {"prot": 1}, "rate_limiter": {"api_rate_limit": {"max_request": 5}},
                              "activty_timeout": 5, "adapter": {"drvier": "local"}})");
    EXPECT_TRUE(has_warning(
        o, "unknown configuration key metrics.prot (ignored; did you mean metrics.port?)"))
        << all_warnings(o);
    EXPECT_TRUE(has_warning(o,
                            "rate_limiter.api_rate_limit.max_request (ignored; did you mean "
                            "rate_limiter.api_rate_limit.max_requests?)"));
    EXPECT_TRUE(has_warning(o, "activty_timeout (ignored; did you mean activity_timeout?)"));
    EXPECT_TRUE(has_warning(o, "did you mean adapter.driver?"));
}

TEST(ConfigWarnings, AppRecordKeys) {
    Options o = from_json(with_app(R"({"id": "a", "key": "k", "secret": "s", "secert": "x",
        "policy": {"channels": {"channel_namespaces": []}, "limits": {"message_rate_limit": {"enabled": true}},
                   "history": {"enabled": true}}})"));
    EXPECT_TRUE(has_warning(o,
                            "unknown configuration key app_manager.array.apps[0].secert (ignored; "
                            "did you mean app_manager.array.apps[0].secret?)"));
    EXPECT_TRUE(has_warning(
        o, "app_manager.array.apps[0].policy.channels.channel_namespaces is not supported"));
    EXPECT_TRUE(has_warning(
        o, "app_manager.array.apps[0].policy.limits.message_rate_limit is not supported"));
    EXPECT_TRUE(has_warning(o, "app_manager.array.apps[0].policy.history is not supported"));
}

TEST(ConfigWarnings, SockudoBackEndSectionsAreNotSupportedRatherThanUnknown) {
    Options o = from_json(R"({"adapter": {"kafka": {"brokers": []}, "nats": {"no_echo": true}},
                              "queue": {"sqs": {}}, "database": {"dynamodb": {}, "redis": {"sentinels": []}},
                              "cache": {"memory": {"ttl": 5}}})");
    for (const char* key : {"adapter.kafka", "adapter.nats.no_echo", "queue.sqs",
                            "database.dynamodb", "database.redis.sentinels", "cache.memory"}) {
        EXPECT_TRUE(has_warning(o, std::string("configuration key ") + key + " is not supported"))
            << key << "\n"
            << all_warnings(o);
    }
}

TEST(ConfigWarnings, ShippedStyleKeysProduceNoWarnings) {
    Options o = from_json(
        R"({"rate_limiter": {"api_rate_limit": {"identifier": "api"}, "redis": {"prefix": "x:"}},
                              "adapter": {"redis": {"prefix": "a:", "requests_timeout": 1000},
                                          "cluster_health": {"enabled": true}},
                              "websocket": {"max_backpressure": 2048}, "logging": {"colors_enabled": false},
                              "instance": {"process_id": "p"}, "cluster_health": {"cleanup_interval_ms": 9000}})");
    EXPECT_TRUE(o.warnings.empty()) << all_warnings(o);
    EXPECT_EQ(o.max_backpressure_bytes, 2048);
    EXPECT_EQ(o.instance_process_id, "p");
}
