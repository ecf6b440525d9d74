// The default app from SOCKUDO_DEFAULT_APP_* and the inline-app switches (operations.md §1.6).
#include "config_test_support.hpp"

using namespace sockudo::config;
using namespace sockudo::config::test;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

const std::string kFileApps = with_app(
    R"({"id": "file-a", "key": "fk", "secret": "fs"}, {"id": "file-b", "key": "fk2", "secret": "fs2"})");

Env creds(Env extra = {}) {
    Env env{{"SOCKUDO_DEFAULT_APP_ID", "id1"},
            {"SOCKUDO_DEFAULT_APP_KEY", "key1"},
            {"SOCKUDO_DEFAULT_APP_SECRET", "sec1"}};
    for (auto& [name, value] : extra) env[name] = value;
    return env;
}

}  // namespace

TEST(ConfigDefaultApp, EnvAppReplacesTheFileApps) {
    Options o = from_json(kFileApps, creds());
    ASSERT_EQ(o.apps.size(), 1u);
    const App& app = o.apps[0];
    EXPECT_EQ(app.id, "id1");
    EXPECT_EQ(app.key, "key1");
    EXPECT_EQ(app.secret, "sec1");
    EXPECT_TRUE(app.enabled);
    EXPECT_FALSE(app.enable_client_messages);
    EXPECT_FALSE(app.enable_user_authentication);
    EXPECT_FALSE(app.enable_watchlist_events);
    EXPECT_TRUE(app.allowed_origins.empty());
    EXPECT_TRUE(app.webhooks.empty());
}

TEST(ConfigDefaultApp, EveryLimitDefaultsTo100WithAWarning) {
    Options o = from_json("{}", creds());
    const AppLimits& l = o.apps.at(0).limits;
    EXPECT_EQ(l.max_connections, 100);
    EXPECT_EQ(l.max_client_events_per_second, 100);
    for (const auto* v :
         {&l.max_backend_events_per_second, &l.max_read_requests_per_second,
          &l.max_presence_members_per_channel, &l.max_presence_member_size_in_kb,
          &l.max_channel_name_length, &l.max_event_channels_at_once, &l.max_event_name_length,
          &l.max_event_payload_in_kb, &l.max_event_batch_size}) {
        EXPECT_EQ(*v, 100);
    }
    EXPECT_TRUE(has_warning(o, "SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS"));
    EXPECT_TRUE(has_warning(o, "each of those limits is 100"));
}

TEST(ConfigDefaultApp, LimitsFromTheEnvironment) {
    Options o = from_json("{}", creds({{"SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS", "-1"},
                                       {"SOCKUDO_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SECOND", "20"},
                                       {"SOCKUDO_DEFAULT_APP_MAX_EVENT_PAYLOAD_IN_KB", "-1"},
                                       {"SOCKUDO_DEFAULT_APP_MAX_EVENT_BATCH_SIZE", "lots"}}));
    const AppLimits& l = o.apps.at(0).limits;
    EXPECT_EQ(l.max_connections, 0) << "negative: unlimited";
    EXPECT_EQ(l.max_client_events_per_second, 20);
    EXPECT_EQ(l.max_event_payload_in_kb, AppLimits::kUnlimited);
    EXPECT_EQ(l.max_event_batch_size, 100);
    EXPECT_TRUE(has_warning(o, "SOCKUDO_DEFAULT_APP_MAX_EVENT_BATCH_SIZE=\"lots\""));
    EXPECT_THAT(all_warnings(o), Not(HasSubstr("SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS,")));
}

TEST(ConfigDefaultApp, FeaturesAndOrigins) {
    for (const char* yes : {"true", "1", "yes", "on"}) {
        EXPECT_TRUE(from_json("{}", creds({{"SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", yes}}))
                        .apps[0]
                        .enable_client_messages)
            << yes;
    }
    EXPECT_FALSE(from_json("{}", creds({{"SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "enabled"}}))
                     .apps[0]
                     .enable_client_messages);
    EXPECT_TRUE(from_json("{}", creds({{"SOCKUDO_ENABLE_CLIENT_MESSAGES", "true"}}))
                    .apps[0]
                    .enable_client_messages)
        << "the legacy variable is the fallback";
    EXPECT_FALSE(from_json("{}", creds({{"SOCKUDO_ENABLE_CLIENT_MESSAGES", "true"},
                                        {"SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "false"}}))
                     .apps[0]
                     .enable_client_messages);
    Options o = from_json("{}", creds({{"SOCKUDO_DEFAULT_APP_ENABLE_USER_AUTHENTICATION", "true"},
                                       {"SOCKUDO_DEFAULT_APP_ENABLE_WATCHLIST_EVENTS", "yes"},
                                       {"SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS",
                                        "https://a.example.com, *.b.example.com,*.*.bad"}}));
    EXPECT_TRUE(o.apps[0].enable_user_authentication);
    EXPECT_TRUE(o.apps[0].enable_watchlist_events);
    EXPECT_EQ(o.apps[0].allowed_origins,
              (std::vector<std::string>{"https://a.example.com", "*.b.example.com"}));
    EXPECT_TRUE(
        has_warning(o, "SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS: invalid origin pattern \"*.*.bad\""));
    EXPECT_TRUE(from_json("{}", creds({{"SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS", ""}}))
                    .apps[0]
                    .allowed_origins.empty());
}

TEST(ConfigDefaultApp, PartialCredentialsAreFatalAndNameWhatIsMissing) {
    const std::string err = error_of(kFileApps, {{"SOCKUDO_DEFAULT_APP_ID", "id1"}});
    EXPECT_THAT(
        err, AllOf(HasSubstr("SOCKUDO_DEFAULT_APP_KEY"), HasSubstr("SOCKUDO_DEFAULT_APP_SECRET")));
    EXPECT_THAT(err, HasSubstr("not set: SOCKUDO_DEFAULT_APP_KEY, SOCKUDO_DEFAULT_APP_SECRET"));
    EXPECT_THAT(error_of("{}", creds({{"SOCKUDO_DEFAULT_APP_SECRET", ""}})),
                HasSubstr("SOCKUDO_DEFAULT_APP_SECRET must not be empty"));
}

TEST(ConfigDefaultApp, EnabledFalseRemovesEveryInlineApp) {
    EXPECT_TRUE(from_json(kFileApps, {{"SOCKUDO_DEFAULT_APP_ENABLED", "false"}}).apps.empty());
    EXPECT_TRUE(from_json(kFileApps, creds({{"SOCKUDO_DEFAULT_APP_ENABLED", "0"}})).apps.empty());
    EXPECT_TRUE(from_json(kFileApps, {{"SOCKUDO_DEFAULT_APP_ID", "only-id"},
                                      {"SOCKUDO_DEFAULT_APP_ENABLED", "no"}})
                    .apps.empty())
        << "a disabled env app is not an error even when partial";
    EXPECT_EQ(from_json(kFileApps, {{"SOCKUDO_DEFAULT_APP_ENABLED", "true"}}).apps.size(), 2u)
        << "enabled without credentials changes nothing";
}

TEST(ConfigDefaultApp, InlineAppSwitches) {
    EXPECT_TRUE(from_json(kFileApps, {{"SOCKUDO_SKIP_INLINE_APPS", "true"}}).apps.empty());
    EXPECT_TRUE(from_json(kFileApps, {{"APP_MANAGER_REGISTER_INLINE_APPS", "false"}}).apps.empty());
    EXPECT_EQ(from_json(kFileApps, {{"APP_MANAGER_REGISTER_INLINE_APPS", "true"}}).apps.size(), 2u);
    Options o = from_json(kFileApps, creds({{"SOCKUDO_SKIP_INLINE_APPS", "true"}}));
    ASSERT_EQ(o.apps.size(), 1u);
    EXPECT_EQ(o.apps[0].id, "id1") << "the env app is not an inline app";
    EXPECT_TRUE(has_warning(from_json(kFileApps, {{"SOCKUDO_SKIP_INLINE_APPS", "sometimes"}}),
                            "SOCKUDO_SKIP_INLINE_APPS"));
}
