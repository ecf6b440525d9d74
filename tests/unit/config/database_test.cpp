// database.mysql / database.postgres / database.sqlite (operations.md §1.4.13) and the app
// manager drivers that use them.
#include "config_test_support.hpp"

using namespace sockudo::config;
using namespace sockudo::config::test;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

TEST(ConfigDatabase, PostgresDefaultsToItsOwnPortAndUser) {
    Options o = from_json("{}");
    EXPECT_EQ(o.database.postgres.port, 5432) << "[R]: Sockudo's 3306/root cannot reach PostgreSQL";
    EXPECT_EQ(o.database.postgres.username, "postgres");
    EXPECT_EQ(o.database.mysql.port, 3306);
    EXPECT_EQ(o.database.mysql.username, "root");
    EXPECT_EQ(o.database.mysql.table_name, "applications");
    EXPECT_EQ(o.database.postgres.database, "sockudo");
    EXPECT_EQ(o.database.sqlite_path, "sockudo.db");
}

TEST(ConfigDatabase, FileKeysAndEnvironmentOverrides) {
    Options o = from_json(R"({"app_manager": {"driver": "pgsql"},
        "database": {"postgres": {"host": "db.internal", "port": 6543, "username": "u", "password": "p",
                                  "database": "d", "table_name": "apps", "connection_pool_size": 4,
                                  "pool_min": 1, "cache_ttl": 60},
                     "mysql": {"host": "my.internal"}, "sqlite": {"path": "/var/lib/sockudo/apps.db"}}})",
                          {{"DATABASE_MYSQL_PORT", "3307"},
                           {"DATABASE_MYSQL_PASSWORD", "secret"},
                           {"DATABASE_POSTGRES_DATABASE", "env-db"},
                           {"DATABASE_CONNECTION_POOL_SIZE", "3"}});
    EXPECT_TRUE(o.warnings.empty()) << all_warnings(o);
    EXPECT_EQ(o.app_manager_driver, AppManagerDriver::Postgres);
    EXPECT_EQ(o.database.postgres.host, "db.internal");
    EXPECT_EQ(o.database.postgres.port, 6543);
    EXPECT_EQ(o.database.postgres.username, "u");
    EXPECT_EQ(o.database.postgres.password, "p");
    EXPECT_EQ(o.database.postgres.database, "env-db");
    EXPECT_EQ(o.database.postgres.table_name, "apps");
    EXPECT_EQ(o.database.postgres.connection_pool_size, 3);
    EXPECT_EQ(o.database.mysql.host, "my.internal");
    EXPECT_EQ(o.database.mysql.port, 3307);
    EXPECT_EQ(o.database.mysql.password, "secret");
    EXPECT_EQ(o.database.sqlite_path, "/var/lib/sockudo/apps.db");
    EXPECT_EQ(from_json("{}", {{"DATABASE_SQLITE_PATH", "x.db"}}).database.sqlite_path, "x.db");
}

TEST(ConfigDatabase, NoInlineAppsIsNormalWithADatabase) {
    Options o = from_json(R"({"app_manager": {"driver": "sqlite", "array": {"apps": []}}})");
    EXPECT_FALSE(has_warning(o, "no apps are configured")) << "the apps live in the database";
}

TEST(ConfigDatabase, BadValuesStopStartUp) {
    EXPECT_THAT(error_of(R"({"database": {"mysql": {"port": 0}}})"),
                HasSubstr("database.mysql.port"));
    EXPECT_THAT(error_of(R"({"database": {"postgres": {"connection_pool_size": 0}}})"),
                HasSubstr("database.postgres.connection_pool_size"));
    EXPECT_THAT(
        error_of(R"({"app_manager": {"driver": "sqlite"}, "database": {"sqlite": {"path": ""}}})"),
        HasSubstr("database.sqlite.path"));
}

TEST(ConfigDatabase, PrintedPasswordsAreRedactedAndTheOutputLoadsBack) {
    Options o = from_json(
        R"({"database": {"postgres": {"password": "pg-pass"}, "mysql": {"password": "my-pass"}}})");
    const std::string printed = print_options(o);
    EXPECT_THAT(printed, Not(HasSubstr("pg-pass")));
    EXPECT_THAT(printed, Not(HasSubstr("my-pass")));
    EXPECT_THAT(printed, HasSubstr("<redacted>"));
    Options again = from_json(printed);
    EXPECT_TRUE(again.warnings.empty()) << all_warnings(again);
    EXPECT_EQ(again.database.postgres.port, 5432);
}

}  // namespace
