#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "config/load.hpp"

using namespace sockudo::config;
using ::testing::HasSubstr;

namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

Options from_json(const std::string& text, std::map<std::string, std::string> env = {}) {
    return load_options_from_text(text, "test.json", env_of(std::move(env)));
}

std::string error_of(const std::string& text, std::map<std::string, std::string> env = {}) {
    try {
        from_json(text, std::move(env));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

bool has_warning(const Options& o, const std::string& needle) {
    for (const auto& w : o.warnings) {
        if (w.find(needle) != std::string::npos) return true;
    }
    return false;
}

class TempDir {
public:
    TempDir() : path_(std::filesystem::temp_directory_path() / ("sockudo-config-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))) {
        std::filesystem::create_directories(path_ / "config");
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return (path_ / name).string();
    }
    std::string path() const { return path_.string(); }

private:
    static inline int counter_ = 0;
    std::filesystem::path path_;
};

}  // namespace

TEST(ConfigDefaults, EmbeddedDefaultsServeOneApp) {
    LoadRequest request;
    TempDir dir;
    request.working_dir = dir.path();
    request.env = env_of({});
    Options o = load_options(request);
    EXPECT_EQ(o.host, "0.0.0.0");
    EXPECT_EQ(o.port, 6001);
    EXPECT_EQ(o.metrics.port, 9601);
    ASSERT_EQ(o.apps.size(), 1u);
    EXPECT_EQ(o.apps[0].id, "app-id");
    EXPECT_EQ(o.apps[0].key, "app-key");
    EXPECT_EQ(o.apps[0].secret, "app-secret");
    EXPECT_TRUE(o.apps[0].enable_client_messages);
    EXPECT_TRUE(o.apps[0].enable_user_authentication);
    EXPECT_EQ(o.source, "defaults");
    EXPECT_FALSE(o.instance_process_id.empty());
}

TEST(ConfigDefaults, ShippedFilesEqualTheEmbeddedDefaults) {
    auto printed = [](const Options& o) {
        auto v = boost::json::parse(print_options(o));
        v.as_object().erase("instance");
        return v;
    };
    LoadRequest request;
    TempDir dir;
    request.working_dir = dir.path();
    request.env = env_of({});
    const auto defaults = printed(load_options(request));
    for (const char* file : {"config/config.json", "config/config.toml"}) {
        LoadRequest shipped;
        shipped.explicit_path = std::string(SOCKUDO_SOURCE_DIR) + "/" + file;
        shipped.env = env_of({});
        Options o = load_options(shipped);
        EXPECT_EQ(printed(o), defaults) << file;
        EXPECT_TRUE(o.warnings.empty()) << file << ": " << (o.warnings.empty() ? "" : o.warnings[0]);
    }
}

TEST(ConfigSources, DiscoveryPrefersTomlAndExplicitFileReplacesIt) {
    TempDir dir;
    dir.write("config/config.toml", "port = 7001\n");
    dir.write("config/config.json", R"({"port": 7002})");
    LoadRequest request;
    request.working_dir = dir.path();
    request.env = env_of({});
    EXPECT_EQ(load_options(request).port, 7001);
    request.explicit_path = dir.write("other.json", R"({"host": "127.0.0.1"})");
    Options o = load_options(request);
    EXPECT_EQ(o.host, "127.0.0.1");
    EXPECT_EQ(o.port, 6001) << "the explicit file replaces the discovered one entirely";
}

TEST(ConfigSources, BrokenDiscoveredOrExplicitFileIsFatal) {
    TempDir dir;
    dir.write("config/config.json", "{ not json");
    LoadRequest request;
    request.working_dir = dir.path();
    request.env = env_of({});
    EXPECT_THROW(load_options(request), ConfigError);
    request.explicit_path = dir.path() + "/missing.json";
    try {
        load_options(request);
        FAIL() << "a missing explicit file must be fatal";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("missing.json"));
    }
}

TEST(ConfigPrecedence, EnvironmentOverridesTheFile) {
    Options o = from_json(R"({"port": 7000, "activity_timeout": 30, "metrics": {"port": 9000}})",
                          {{"PORT", "8000"}, {"METRICS_PORT", "9100"}});
    EXPECT_EQ(o.port, 8000);
    EXPECT_EQ(o.metrics.port, 9100);
    EXPECT_EQ(o.activity_timeout_s, 30);
}

TEST(ConfigPrecedence, BadEnvNumbersAreWarnedAndIgnored) {
    Options o = from_json(R"({"activity_timeout": 30})", {{"ACTIVITY_TIMEOUT", "soon"}});
    EXPECT_EQ(o.activity_timeout_s, 30);
    EXPECT_TRUE(has_warning(o, "ACTIVITY_TIMEOUT"));
}

TEST(ConfigPrecedence, EnvBooleansAcceptTheDocumentedSpellings) {
    for (const char* yes : {"true", "1", "yes", "ON"}) {
        EXPECT_TRUE(from_json("{}", {{"SSL_ENABLED", yes}, {"SSL_CERT_PATH", "c"}, {"SSL_KEY_PATH", "k"}}).ssl.enabled) << yes;
    }
    EXPECT_FALSE(from_json("{}", {{"METRICS_ENABLED", "off"}}).metrics.enabled);
}

TEST(ConfigInterpolation, VariablesAndFallbacks) {
    Options o = from_json(R"({"host": "${BIND}", "mode": "${MODE:-staging}", "port": ${P:-7005}})",
                          {{"BIND", "10.0.0.1"}});
    EXPECT_EQ(o.host, "10.0.0.1");
    EXPECT_EQ(o.mode, "staging");
    EXPECT_EQ(o.port, 7005);
}

TEST(ConfigInterpolation, EmptyCountsAsUnsetAndAllMissingNamesAreReported) {
    const std::string err = error_of(R"({"host": "${A}", "mode": "${B}", "path_prefix": "${C:-/}"})", {{"A", ""}});
    EXPECT_THAT(err, HasSubstr("A"));
    EXPECT_THAT(err, HasSubstr("B"));
    EXPECT_THAT(err, ::testing::Not(HasSubstr("C")));
}

TEST(ConfigInterpolation, BareDollarIsLiteral) {
    EXPECT_EQ(from_json(R"({"mode": "$HOME and $"})").mode, "$HOME and $");
}

TEST(ConfigToml, SameKeysAsJson) {
    Options o = load_options_from_text(
        "port = 7100\n[metrics]\nport = 9700\n[[app_manager.array.apps]]\nid = \"a\"\nkey = \"k\"\nsecret = \"s\"\n"
        "max_connections = \"50\"\n",
        "x.toml", env_of({}));
    EXPECT_EQ(o.port, 7100);
    EXPECT_EQ(o.metrics.port, 9700);
    ASSERT_EQ(o.apps.size(), 1u);
    EXPECT_EQ(o.apps[0].limits.max_connections, 50);
}

TEST(ConfigToml, SyntaxErrorsNameTheLine) {
    try {
        load_options_from_text("port = 1\nhost = \n", "bad.toml", env_of({}));
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("bad.toml"));
        EXPECT_THAT(e.what(), HasSubstr("line 2"));
    }
}

TEST(ConfigValidation, InvalidValuesNameKeyPathAndValue) {
    EXPECT_THAT(error_of(R"({"port": 70000})"), HasSubstr("port"));
    EXPECT_THAT(error_of(R"({"port": 70000})"), HasSubstr("70000"));
    EXPECT_THAT(error_of(R"({"metrics": {"port": "nine"}})"), HasSubstr("metrics.port"));
    EXPECT_THAT(error_of(R"({"debug": "maybe"})"), HasSubstr("debug"));
    EXPECT_THAT(error_of(R"({"activity_timeout": 0})"), HasSubstr("activity_timeout"));
    EXPECT_THAT(error_of(R"({"app_manager": {"array": {"apps": [{"id": "a", "key": "k"}]}}})"),
                HasSubstr("app_manager.array.apps[0]"));
    EXPECT_THAT(error_of(R"({"app_manager": {"array": {"apps": [{"id": "a", "key": "k", "secret": "s", "policy": {"limits": {"max_connections": "lots"}}}]}}})"),
                HasSubstr("app_manager.array.apps[0].policy.limits.max_connections"));
    EXPECT_THAT(error_of(R"({"cors": {"origin": ["*.*.bad"]}})"), HasSubstr("cors.origin"));
}

TEST(ConfigValidation, DuplicateAppsAreRejected) {
    EXPECT_THAT(error_of(R"({"app_manager": {"array": {"apps": [
        {"id": "a", "key": "k1", "secret": "s"}, {"id": "a", "key": "k2", "secret": "s"}]}}})"),
                HasSubstr("duplicate app id"));
}

TEST(ConfigDrivers, AliasesAreAcceptedCaseInsensitively) {
    EXPECT_THAT(error_of("{}", {{"APP_MANAGER_DRIVER", "PostgreSQL"}}), HasSubstr("pgsql"));
    EXPECT_THAT(error_of(R"({"app_manager": {"driver": "postgres"}})"), HasSubstr("not available in this build"));
    EXPECT_EQ(from_json(R"({"adapter": {"driver": "Local"}, "cache": {"driver": "none"}})").cache_driver, CacheDriver::None);
    EXPECT_EQ(from_json("{}", {{"RATE_LIMITER_DRIVER", "MEMORY"}}).rate_limiter.driver, RateLimiterDriver::Memory);
}

TEST(ConfigDrivers, UnknownAndUnsupportedDriversAreFatal) {
    EXPECT_THAT(error_of(R"({"adapter": {"driver": "carrier-pigeon"}})"), HasSubstr("unknown driver \"carrier-pigeon\""));
    EXPECT_THAT(error_of(R"({"adapter": {"driver": "carrier-pigeon"}})"), HasSubstr("adapter.driver"));
    EXPECT_THAT(error_of("{}", {{"ADAPTER_DRIVER", "kafka"}}), HasSubstr("not supported by this server"));
    EXPECT_THAT(error_of("{}", {{"METRICS_DRIVER", "statsd"}}), HasSubstr("METRICS_DRIVER"));
}

TEST(ConfigApps, NestedAndFlatFormsNumericStringsAndUnlimited) {
    Options o = from_json(R"({"app_manager": {"array": {"apps": [
        {"id": "nested", "key": "k1", "secret": "s1",
         "policy": {"limits": {"max_connections": "10", "max_presence_members_per_channel": -1},
                    "features": {"enable_client_messages": true},
                    "channels": {"allowed_origins": ["https://*.example.com"]}}},
        {"id": "flat", "key": "k2", "secret": "s2", "max_connections": 20, "enable_client_messages": true,
         "max_event_payload_in_kb": "-5", "allowed_origins": ["https://app.example.com"]}]}}})");
    ASSERT_EQ(o.apps.size(), 2u);
    EXPECT_EQ(o.apps[0].limits.max_connections, 10);
    EXPECT_EQ(o.apps[0].limits.max_presence_members_per_channel, AppLimits::kUnlimited);
    EXPECT_TRUE(o.apps[0].enable_client_messages);
    EXPECT_EQ(o.apps[0].allowed_origins, std::vector<std::string>{"https://*.example.com"});
    EXPECT_EQ(o.apps[1].limits.max_connections, 20);
    EXPECT_EQ(o.apps[1].limits.max_event_payload_in_kb, AppLimits::kUnlimited);
    EXPECT_TRUE(o.apps[1].enable_client_messages);
    EXPECT_TRUE(o.warnings.empty()) << o.warnings[0];
}

TEST(ConfigApps, WebhooksInBothSpellings) {
    Options o = from_json(R"({"app_manager": {"array": {"apps": [
        {"id": "a", "key": "k", "secret": "s", "policy": {"webhooks": [
            {"url": "https://hooks.example.com/p", "event_types": ["channel_occupied"],
             "filter": {"channel_name_starts_with": "presence-", "channel_suffix": "-room"},
             "headers": {"Authorization": "Bearer t"}}]},
         "webhooks": [{"url": "http://127.0.0.1:9/x", "event_types": ["client_event"],
                       "filter": {"channel_pattern": "^private-"}, "request_timeout_ms": 500}]}]}}})");
    ASSERT_EQ(o.apps[0].webhooks.size(), 2u);
    const auto& flat = o.apps[0].webhooks[0];
    EXPECT_EQ(flat.url, "http://127.0.0.1:9/x");
    EXPECT_EQ(flat.filter_pattern, "^private-");
    EXPECT_EQ(flat.request_timeout_ms, 500);
    const auto& nested = o.apps[0].webhooks[1];
    EXPECT_EQ(nested.filter_prefix, "presence-");
    EXPECT_EQ(nested.filter_suffix, "-room");
    ASSERT_EQ(nested.headers.size(), 1u);
    EXPECT_THAT(error_of(R"({"app_manager": {"array": {"apps": [{"id": "a", "key": "k", "secret": "s",
        "webhooks": [{"url": "ftp://x", "event_types": []}]}]}}})"), HasSubstr("webhooks[0].url"));
}

TEST(ConfigWarnings, UnknownAndUnsupportedKeysAreReported) {
    Options o = from_json(R"({"some_unknown_key": 1, "metrics": {"tcp_exporter": {"enabled": true}},
                              "history": {"enabled": true}, "port": 6001})");
    EXPECT_TRUE(has_warning(o, "unknown configuration key some_unknown_key"));
    EXPECT_TRUE(has_warning(o, "metrics.tcp_exporter is not used"));
    EXPECT_TRUE(has_warning(o, "history is not used"));
    EXPECT_FALSE(has_warning(o, "key port ")) << "keys that are read are not reported";
    Options typo = from_json(R"({"app_manager": {"array": {"apps": [{"id": "a", "key": "k", "secret": "s", "secert": "x"}]}}})");
    EXPECT_TRUE(has_warning(typo, "app_manager.array.apps[0].secert"));
}

TEST(ConfigDefaultApp, EnvDefinesTheOnlyApp) {
    Options o = from_json("{}", {{"SOCKUDO_DEFAULT_APP_ID", "id1"}, {"SOCKUDO_DEFAULT_APP_KEY", "key1"},
                                 {"SOCKUDO_DEFAULT_APP_SECRET", "sec1"},
                                 {"SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "true"},
                                 {"SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS", "-1"}});
    ASSERT_EQ(o.apps.size(), 1u);
    EXPECT_EQ(o.apps[0].id, "id1");
    EXPECT_TRUE(o.apps[0].enable_client_messages);
    EXPECT_FALSE(o.apps[0].enable_user_authentication);
    EXPECT_EQ(o.apps[0].limits.max_connections, 0) << "negative: unlimited";
    EXPECT_EQ(o.apps[0].limits.max_backend_events_per_second, 100) << "the env app's documented default";
}

TEST(ConfigDefaultApp, PartialCredentialsAreFatalAndDisabledRemovesIt) {
    EXPECT_THAT(error_of("{}", {{"SOCKUDO_DEFAULT_APP_ID", "id1"}}), HasSubstr("SOCKUDO_DEFAULT_APP_KEY"));
    Options o = from_json("{}", {{"SOCKUDO_DEFAULT_APP_ENABLED", "false"}});
    EXPECT_TRUE(o.apps.empty());
}

TEST(ConfigRedaction, SecretsNeverPrinted) {
    Options o = from_json(R"({"ssl": {"passphrase": "pp-secret"},
        "database": {"redis": {"password": "redis-secret"}},
        "app_manager": {"array": {"apps": [{"id": "a", "key": "k", "secret": "app-secret-value",
            "webhooks": [{"url": "https://h.example.com", "event_types": ["client_event"],
                          "headers": {"Authorization": "Bearer header-secret"}}]}]}}})",
                          {{"REDIS_URL", "redis://:url-secret@127.0.0.1:6379"}});
    const std::string printed = print_options(o);
    for (const char* secret : {"app-secret-value", "pp-secret", "redis-secret", "header-secret", "url-secret"}) {
        EXPECT_THAT(printed, ::testing::Not(HasSubstr(secret))) << secret;
    }
    EXPECT_THAT(printed, HasSubstr("<redacted>"));
    EXPECT_NO_THROW(boost::json::parse(printed));
}
