// App records (operations.md §1.7) and their webhooks (§7.1).
#include "config_test_support.hpp"

using namespace sockudo::config;
using namespace sockudo::config::test;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(ConfigApps, NestedAndFlatFormsNumericStringsAndUnlimited) {
    Options o = from_json(R"({"app_manager": {"array": {"apps": [
        {"id": "nested", "key": "k1", "secret": "s1",
         "policy": {"limits": {"max_connections": "10", "max_presence_members_per_channel": -1,
                               "max_event_payload_in_kb": "64", "decay_seconds": 2, "terminate_on_limit": true},
                    "features": {"enable_client_messages": true, "enable_watchlist_events": true},
                    "channels": {"allowed_origins": ["https://*.example.com"]}}},
        {"id": "flat", "key": "k2", "secret": "s2", "max_connections": 20, "enable_client_messages": true,
         "max_client_events_per_second": "-1", "max_event_payload_in_kb": "-5",
         "enable_user_authentication": true, "allowed_origins": ["https://app.example.com"]}]}}})");
    ASSERT_EQ(o.apps.size(), 2u);
    const App& nested = o.apps[0];
    EXPECT_EQ(nested.limits.max_connections, 10);
    EXPECT_EQ(nested.limits.max_presence_members_per_channel, AppLimits::kUnlimited);
    EXPECT_EQ(nested.limits.max_event_payload_in_kb, 64);
    EXPECT_EQ(nested.limits.decay_seconds, 2);
    EXPECT_TRUE(nested.limits.terminate_on_limit);
    EXPECT_TRUE(nested.enable_client_messages);
    EXPECT_TRUE(nested.enable_watchlist_events);
    EXPECT_FALSE(nested.limits.max_channel_name_length.has_value())
        << "unset: the server-wide default applies";
    EXPECT_EQ(nested.allowed_origins, std::vector<std::string>{"https://*.example.com"});
    const App& flat = o.apps[1];
    EXPECT_EQ(flat.limits.max_connections, 20);
    EXPECT_EQ(flat.limits.max_client_events_per_second, 0) << "negative: no limiter";
    EXPECT_EQ(flat.limits.max_event_payload_in_kb, AppLimits::kUnlimited);
    EXPECT_TRUE(flat.enable_client_messages);
    EXPECT_TRUE(flat.enable_user_authentication);
    EXPECT_EQ(flat.allowed_origins, std::vector<std::string>{"https://app.example.com"});
    EXPECT_TRUE(o.warnings.empty()) << all_warnings(o);
}

TEST(ConfigApps, PolicyReplacesTheFlatFieldsEntirely) {
    Options o = from_json(with_app(R"({"id": "a", "key": "k", "secret": "s", "max_connections": 5,
        "enable_client_messages": true, "policy": {"limits": {"max_connections": 7}}})"));
    ASSERT_EQ(o.apps.size(), 1u);
    EXPECT_EQ(o.apps[0].limits.max_connections, 7);
    EXPECT_FALSE(o.apps[0].enable_client_messages)
        << "as in Sockudo, flat fields are ignored next to a policy";
    EXPECT_TRUE(has_warning(o,
                            "app_manager.array.apps[0].enable_client_messages is ignored because "
                            "the app has a policy"));
    EXPECT_TRUE(has_warning(o, "app_manager.array.apps[0].max_connections is ignored"));
}

TEST(ConfigApps, LimitsBeyondU32AreRejected) {
    EXPECT_THAT(
        error_of(with_app(
            R"({"id": "a", "key": "k", "secret": "s", "max_event_batch_size": 4294967296})")),
        HasSubstr("app_manager.array.apps[0].max_event_batch_size: 4294967296"));
    EXPECT_THAT(
        error_of(with_app(
            R"({"id": "a", "key": "k", "secret": "s", "policy": {"limits": {"decay_seconds": 0}}})")),
        HasSubstr("decay_seconds"));
}

TEST(ConfigApps, RequiredFieldsAndDuplicates) {
    EXPECT_THAT(error_of(with_app(R"({"id": "a", "key": "k"})")),
                AllOf(HasSubstr("app_manager.array.apps[0]"), HasSubstr("secret")));
    EXPECT_THAT(error_of(with_app(R"({"id": "a", "key": "k", "secret": 5})")),
                HasSubstr("app_manager.array.apps[0].secret: 5"));
    EXPECT_THAT(error_of(with_app(R"("just-a-string")")), HasSubstr("app_manager.array.apps[0]"));
    const std::string dup = error_of(with_app(
        R"({"id": "a", "key": "k1", "secret": "s"}, {"id": "a", "key": "k2", "secret": "s"})"));
    EXPECT_THAT(dup, AllOf(HasSubstr("duplicate app id \"a\""), HasSubstr("apps[1]"),
                           HasSubstr("apps[0]")));
    EXPECT_THAT(
        error_of(with_app(
            R"({"id": "a", "key": "k", "secret": "s"}, {"id": "b", "key": "k", "secret": "s"})")),
        HasSubstr("duplicate app key \"k\""));
}

TEST(ConfigApps, AppListPresenceDecidesTheDefaultApp) {
    Options kept = from_json(R"({"app_manager": {"driver": "memory"}})");
    ASSERT_EQ(kept.apps.size(), 1u) << "a file without apps keeps the embedded default app";
    EXPECT_EQ(kept.apps[0].id, "app-id");
    Options none = from_json(R"({"app_manager": {"array": {"apps": []}}})");
    EXPECT_TRUE(none.apps.empty());
    EXPECT_TRUE(has_warning(none, "no apps are configured"));
}

TEST(ConfigApps, InvalidOriginPatternsNameTheApp) {
    EXPECT_THAT(
        error_of(with_app(
            R"({"id": "a", "key": "k", "secret": "s", "policy": {"channels": {"allowed_origins": ["a*b*c"]}}})")),
        HasSubstr("app_manager.array.apps[0].policy.channels.allowed_origins"));
}

TEST(ConfigWebhooks, NestedAndFlatEndpoints) {
    Options nested =
        from_json(with_app(R"({"id": "a", "key": "k", "secret": "s", "policy": {"webhooks": [
        {"url": "https://hooks.example.com/p", "event_types": ["channel_occupied", "member_added"],
         "filter": {"channel_prefix": "presence-", "channel_suffix": "-room", "channel_pattern": "^presence-",
                    "channel_namespace": "chat", "channel_namespaces": ["orders"]},
         "headers": {"Authorization": "Bearer t", "X-Team": "core"}, "request_timeout_ms": 500}]}})"));
    ASSERT_EQ(nested.apps[0].webhooks.size(), 1u);
    const WebhookTarget& w = nested.apps[0].webhooks[0];
    EXPECT_EQ(w.url, "https://hooks.example.com/p");
    EXPECT_EQ(w.event_types, (std::vector<std::string>{"channel_occupied", "member_added"}));
    EXPECT_EQ(w.filter_prefix, "presence-");
    EXPECT_EQ(w.filter_suffix, "-room");
    EXPECT_EQ(w.filter_pattern, "^presence-");
    EXPECT_EQ(w.filter_namespaces, (std::vector<std::string>{"orders", "chat"}));
    ASSERT_EQ(w.headers.size(), 2u);
    EXPECT_EQ(w.request_timeout_ms, 500);
    EXPECT_TRUE(nested.warnings.empty()) << all_warnings(nested);

    Options flat = from_json(with_app(R"({"id": "a", "key": "k", "secret": "s", "webhooks": [
        {"url": "http://127.0.0.1:9/x", "event_types": ["client_event"],
         "filter": {"channel_name_starts_with": "private-", "channel_name_ends_with": "-x"}}]})"));
    ASSERT_EQ(flat.apps[0].webhooks.size(), 1u);
    EXPECT_EQ(flat.apps[0].webhooks[0].filter_prefix, "private-")
        << "Soketi's filter names are aliases";
    EXPECT_EQ(flat.apps[0].webhooks[0].filter_suffix, "-x");
}

TEST(ConfigWebhooks, InvalidEndpointsNameTheKey) {
    auto hook = [](const std::string& endpoint) {
        return error_of(
            with_app(R"({"id": "a", "key": "k", "secret": "s", "webhooks": [)" + endpoint + "]}"));
    };
    EXPECT_THAT(hook(R"({"url": "ftp://x", "event_types": []})"),
                HasSubstr("app_manager.array.apps[0].webhooks[0].url: \"ftp://x\""));
    EXPECT_THAT(hook(R"({"event_types": ["client_event"]})"),
                HasSubstr("webhooks[0]: a webhook needs a url"));
    EXPECT_THAT(
        hook(R"({"lambda": {"function_name": "f", "region": "eu-west-1"}, "event_types": []})"),
        HasSubstr("Lambda webhook targets are not supported"));
    EXPECT_THAT(
        hook(
            R"({"url": "https://h", "event_types": [], "filter": {"channel_pattern": "(unclosed"}})"),
        AllOf(HasSubstr("webhooks[0].filter.channel_pattern"), HasSubstr("(unclosed")));
    EXPECT_THAT(
        hook(R"({"url": "https://h", "event_types": [], "headers": {"X-A": "v\r\nInjected: 1"}})"),
        HasSubstr("webhooks[0].headers.X-A"));
    EXPECT_THAT(hook(R"({"url": "https://h", "event_types": [], "headers": {"Bad Name": "v"}})"),
                HasSubstr("Bad Name"));
    EXPECT_THAT(hook(R"({"url": "https://h", "event_types": [], "headers": {"X-A": 1}})"),
                HasSubstr("webhooks[0].headers.X-A: 1"));
    EXPECT_THAT(hook(R"({"url": "https://h", "event_types": [], "request_timeout_ms": 0})"),
                HasSubstr("request_timeout_ms"));
    EXPECT_THAT(
        hook(
            R"({"url": "https://h", "event_types": [], "filter": {"channel_prefix": "a", "channel_name_starts_with": "b"}})"),
        HasSubstr("disagree"));
}

TEST(ConfigWebhooks, SuspiciousEndpointsAreWarnedAbout) {
    Options o = from_json(with_app(R"({"id": "a", "key": "k", "secret": "s", "webhooks": [
        {"url": "https://h/1"}, {"url": "https://h/2", "event_types": ["channel_ocupied"]},
        {"url": "https://h/3", "event_types": ["client_event"], "retry": {"max_attempts": 2}}]})"));
    ASSERT_EQ(o.apps[0].webhooks.size(), 3u);
    EXPECT_TRUE(
        has_warning(o, "webhooks[0]: event_types is missing, so this endpoint receives no events"));
    EXPECT_TRUE(has_warning(o, "unknown event type \"channel_ocupied\""));
    EXPECT_TRUE(has_warning(o, "webhooks[2].retry is not supported by this server"));
}

TEST(ConfigWebhooks, GlobalWebhookSection) {
    Options o = from_json(R"({"webhooks": {"batching": {"enabled": true, "duration": 20, "size": 5},
        "retry": {"enabled": false, "max_attempts": null, "max_elapsed_time_ms": 1000, "initial_backoff_ms": 10,
                  "max_backoff_ms": 100}, "request_timeout_ms": 2000, "leave_delay_ms": 0}})");
    EXPECT_TRUE(o.webhooks.batching_enabled);
    EXPECT_EQ(o.webhooks.batching_duration_ms, 20);
    EXPECT_EQ(o.webhooks.batching_size, 5);
    EXPECT_FALSE(o.webhooks.retry_enabled);
    EXPECT_FALSE(o.webhooks.retry_max_attempts.has_value())
        << "null: unbounded, as Sockudo's code default";
    EXPECT_EQ(o.webhooks.retry_max_elapsed_time_ms, 1000);
    EXPECT_EQ(o.webhooks.request_timeout_ms, 2000);
    EXPECT_EQ(o.webhooks.leave_delay_ms, 0);
    Options env = from_json("{}", {{"WEBHOOK_BATCHING_ENABLED", "true"},
                                   {"WEBHOOK_BATCHING_DURATION", "75"},
                                   {"WEBHOOK_BATCHING_SIZE", "9"}});
    EXPECT_TRUE(env.webhooks.batching_enabled);
    EXPECT_EQ(env.webhooks.batching_duration_ms, 75);
    EXPECT_EQ(env.webhooks.batching_size, 9);
}
