// Where configuration comes from (operations.md §1.1): embedded defaults, discovery, --config,
// JSON and TOML, ${VAR} interpolation.
#include <boost/json.hpp>

#include "config_test_support.hpp"

using namespace sockudo::config;
using namespace sockudo::config::test;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigDefaults, EmbeddedDefaultsServeOneApp) {
    TempDir dir;
    LoadRequest request;
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
    EXPECT_EQ(o.adapter.driver, AdapterDriver::Local);
    EXPECT_EQ(o.cache_driver, CacheDriver::Memory);
    EXPECT_EQ(o.queue_driver, QueueDriver::Memory);
    EXPECT_EQ(o.source, "defaults");
    EXPECT_EQ(o.logging.level, "info");
    EXPECT_FALSE(o.instance_process_id.empty());
    EXPECT_TRUE(o.warnings.empty()) << all_warnings(o);
}

TEST(ConfigDefaults, ShippedFilesEqualTheEmbeddedDefaults) {
    auto printed = [](const Options& o) {
        auto v = boost::json::parse(print_options(o));
        v.as_object().erase("instance");
        return v;
    };
    TempDir dir;
    LoadRequest request;
    request.working_dir = dir.path();
    request.env = env_of({});
    const auto defaults = printed(load_options(request));
    for (const char* file : {"config/config.json", "config/config.toml"}) {
        LoadRequest shipped;
        shipped.explicit_path = std::string(SOCKUDO_SOURCE_DIR) + "/" + file;
        shipped.env = env_of({});
        Options o = load_options(shipped);
        EXPECT_EQ(printed(o), defaults) << file;
        EXPECT_TRUE(o.warnings.empty()) << file << ": " << all_warnings(o);
    }
    // `make run` starts in the repository root and discovers config/config.toml there.
    LoadRequest discovered;
    discovered.working_dir = SOCKUDO_SOURCE_DIR;
    discovered.env = env_of({});
    Options o = load_options(discovered);
    EXPECT_THAT(o.source, HasSubstr("config/config.toml"));
    EXPECT_EQ(printed(o), defaults);
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
    EXPECT_EQ(o.source, *request.explicit_path);
}

TEST(ConfigSources, JsonIsDiscoveredWhenThereIsNoToml) {
    TempDir dir;
    dir.write("config/config.json", R"({"port": 7002})");
    LoadRequest request;
    request.working_dir = dir.path();
    request.env = env_of({});
    EXPECT_EQ(load_options(request).port, 7002);
}

TEST(ConfigSources, BrokenDiscoveredOrExplicitFileIsFatal) {
    TempDir dir;
    dir.write("config/config.json", "{\n  \"port\": 6001,,\n}");
    LoadRequest request;
    request.working_dir = dir.path();
    request.env = env_of({});
    try {
        load_options(request);
        FAIL() << "a discovered file that does not parse must be fatal, not skipped";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("config.json"));
        EXPECT_THAT(e.what(), HasSubstr("line 2"));
    }
    request.explicit_path = dir.path() + "/missing.json";
    try {
        load_options(request);
        FAIL() << "a missing explicit file must be fatal";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("missing.json"));
    }
    request.explicit_path = dir.path() + "/config";
    EXPECT_THROW(load_options(request), ConfigError) << "a directory is not a config file";
}

TEST(ConfigSources, JsonTopLevelMustBeAnObject) {
    EXPECT_THAT(error_of("[1, 2]"), HasSubstr("top level must be an object"));
    EXPECT_THAT(error_of("{} {}"), HasSubstr("invalid JSON"));
}

TEST(ConfigToml, SameKeysAsJson) {
    Options o = from_toml(
        "port = 7100\n[metrics]\nport = 9700\n[[app_manager.array.apps]]\nid = \"a\"\nkey = "
        "\"k\"\nsecret = \"s\"\n"
        "max_connections = \"50\"\n");
    EXPECT_EQ(o.port, 7100);
    EXPECT_EQ(o.metrics.port, 9700);
    ASSERT_EQ(o.apps.size(), 1u);
    EXPECT_EQ(o.apps[0].limits.max_connections, 50);
}

TEST(ConfigToml, NestedPolicyTablesAndKeyPathsInErrors) {
    const std::string app =
        "[[app_manager.array.apps]]\nid = \"a\"\nkey = \"k\"\nsecret = \"s\"\n"
        "[app_manager.array.apps.policy.limits]\nmax_connections = \"many\"\n";
    try {
        from_toml(app);
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("app_manager.array.apps[0].policy.limits.max_connections"));
        EXPECT_THAT(e.what(), HasSubstr("\"many\""));
    }
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

TEST(ConfigToml, DatesAreNotAcceptedWhereStringsAreExpected) {
    try {
        from_toml("port = 1979-05-27\n");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("port"));
        EXPECT_THAT(e.what(), HasSubstr("1979-05-27"));
    }
}

TEST(ConfigInterpolation, VariablesAndFallbacks) {
    Options o = from_json(R"({"host": "${BIND}", "mode": "${MODE:-staging}", "port": ${P:-7005}})",
                          {{"BIND", "10.0.0.1"}});
    EXPECT_EQ(o.host, "10.0.0.1");
    EXPECT_EQ(o.mode, "staging");
    EXPECT_EQ(o.port, 7005);
}

TEST(ConfigInterpolation, EmptyCountsAsUnsetAndAllMissingNamesAreReported) {
    const std::string err = error_of(
        R"({"host": "${AAA}", "mode": "${BBB}", "path_prefix": "${CCC:-/}"})", {{"AAA", ""}});
    EXPECT_THAT(err, HasSubstr("AAA"));
    EXPECT_THAT(err, HasSubstr("BBB"));
    EXPECT_THAT(err, Not(HasSubstr("CCC")));
    EXPECT_THAT(err, HasSubstr("test.json"));
}

TEST(ConfigInterpolation, OnlyTheBracedFormOfANameIsSpecial) {
    EXPECT_EQ(from_json(R"({"mode": "$HOME and $ and ${not a name} and ${"})").mode,
              "$HOME and $ and ${not a name} and ${");
}

TEST(ConfigInterpolation, SubstitutedTextIsNotScannedAgain) {
    EXPECT_EQ(from_json(R"({"mode": "${OUTER}"})", {{"OUTER", "${INNER}"}}).mode, "${INNER}");
}

TEST(ConfigInterpolation, FallbackEndsAtTheFirstBrace) {
    EXPECT_EQ(from_json(R"({"mode": "${UNSET:-a}b}"})").mode, "ab}");
}

TEST(ConfigInterpolation, CommentsAreNotSpecialInToml) {
    try {
        from_toml("# ${IN_A_COMMENT}\nport = 6001\n");
        FAIL() << "substitution happens before parsing, comments included";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("IN_A_COMMENT"));
    }
}

TEST(ConfigInterpolation, NumbersMustStillBeLiteralsAfterSubstitution) {
    EXPECT_THAT(error_of(R"({"port": ${P}})", {{"P", "not-a-port"}}), HasSubstr("invalid JSON"));
    EXPECT_THAT(error_of(R"({"port": "${P}"})", {{"P", "not-a-port"}}), HasSubstr("port"));
}
