#include "apps/app_row.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.hpp"

namespace sockudo::apps {
namespace {

using ::testing::HasSubstr;

size_t column(std::string_view name) {
    for (size_t i = 0; i < kColumns.size(); ++i) {
        if (kColumns[i] == name) return i;
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
}

Row row(std::initializer_list<std::pair<std::string_view, std::optional<std::string>>> values) {
    Row r(kColumns.size());
    r[column("id")] = "a";
    r[column("key")] = "k";
    r[column("secret")] = "s";
    r[column("max_connections")] = "0";
    r[column("enable_client_messages")] = "f";
    r[column("enabled")] = "t";
    r[column("max_client_events_per_second")] = "0";
    for (const auto& [name, value] : values) r[column(name)] = value;
    return r;
}

TEST(AppRow, ColumnsMapToTheAppWhenPolicyIsNull) {
    config::App app = app_from_row(
        row({{"max_connections", "5"},
             {"enable_client_messages", "1"},
             {"max_event_batch_size", "3"},
             {"max_backend_events_per_second", "-1"},
             {"allowed_origins", R"(["https://a.example.com"])"},
             {"webhooks",
              R"([{"url": "https://h.example.com/x", "event_types": ["channel_occupied"]}])"}}));
    EXPECT_EQ(app.id, "a");
    EXPECT_EQ(app.key, "k");
    EXPECT_EQ(app.secret, "s");
    EXPECT_TRUE(app.enabled);
    EXPECT_EQ(app.limits.max_connections, 5);
    EXPECT_TRUE(app.enable_client_messages);
    EXPECT_EQ(app.limits.max_event_batch_size, 3);
    EXPECT_EQ(app.limits.max_backend_events_per_second, config::AppLimits::kUnlimited)
        << "negative means unlimited in every source (§1.7 [R])";
    EXPECT_FALSE(app.limits.max_event_name_length.has_value())
        << "NULL: the server default applies";
    EXPECT_EQ(app.allowed_origins, std::vector<std::string>{"https://a.example.com"});
    ASSERT_EQ(app.webhooks.size(), 1u);
    EXPECT_EQ(app.webhooks[0].url, "https://h.example.com/x");
}

TEST(AppRow, ANonNullPolicyWinsOverEveryColumn) {
    config::App app = app_from_row(row({{"max_connections", "5"},
                                        {"enable_client_messages", "1"},
                                        {"enabled", "0"},
                                        {"allowed_origins", R"(["https://ignored.example.com"])"},
                                        {"policy", R"({"limits": {"max_connections": 9},
                                                       "features": {"enable_user_authentication": true}})"}}));
    EXPECT_EQ(app.limits.max_connections, 9);
    EXPECT_FALSE(app.enable_client_messages) << "the policy does not enable it";
    EXPECT_TRUE(app.enable_user_authentication);
    EXPECT_TRUE(app.allowed_origins.empty());
    EXPECT_FALSE(app.enabled) << "enabled is a column in both forms";
}

TEST(AppRow, AWrittenRowReadsBackAsTheSameApp) {
    config::App app;
    app.id = "x";
    app.key = "xk";
    app.secret = "xs";
    app.enabled = false;
    app.limits.max_connections = 7;
    app.limits.max_presence_members_per_channel = 12;
    app.limits.max_event_payload_in_kb = config::AppLimits::kUnlimited;
    app.enable_client_messages = true;
    app.allowed_origins = {"*.example.com"};
    const Row written = row_from_app(app);
    ASSERT_EQ(written.size(), kColumns.size());
    EXPECT_EQ(written[column("max_connections")], "7");
    EXPECT_EQ(written[column("max_event_payload_in_kb")], std::nullopt)
        << "unsigned columns in MySQL: unlimited lives in the policy";
    ASSERT_TRUE(written[column("policy")].has_value());
    config::App back = app_from_row(written);
    EXPECT_EQ(back.id, "x");
    EXPECT_FALSE(back.enabled);
    EXPECT_EQ(back.limits.max_connections, 7);
    EXPECT_EQ(back.limits.max_presence_members_per_channel, 12);
    EXPECT_EQ(back.limits.max_event_payload_in_kb, config::AppLimits::kUnlimited);
    EXPECT_TRUE(back.enable_client_messages);
    EXPECT_EQ(back.allowed_origins, app.allowed_origins);
}

TEST(AppRow, UnreadableRowsAreErrorsNamingTheApp) {
    try {
        app_from_row(row({{"policy", "{not json"}}));
        FAIL() << "expected an error";
    } catch (const config::ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("applications row a"));
        EXPECT_THAT(e.what(), HasSubstr("policy"));
    }
    EXPECT_THROW(app_from_row(row({{"max_connections", "many"}})), config::ConfigError);
    EXPECT_THROW(app_from_row(row({{"secret", std::nullopt}})), config::ConfigError);
}

TEST(AppRow, TableNamesAreIdentifiersOnly) {
    EXPECT_NO_THROW(check_table_name("k", "applications"));
    EXPECT_NO_THROW(check_table_name("k", "sockudo_apps_2"));
    for (const char* bad : {"", "apps; DROP TABLE x", "a-b", "a.b", "\"quoted\""}) {
        EXPECT_THROW(check_table_name("database.mysql.table_name", bad), config::ConfigError)
            << bad;
    }
}

}  // namespace
}  // namespace sockudo::apps
