#include "apps/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>

namespace sockudo::apps {
namespace {

class SqliteStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("sockudo-sqlite-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "apps.db").string();
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void sql(const std::string& statement) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
        char* error = nullptr;
        const int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error);
        EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
        sqlite3_free(error);
        sqlite3_close(db);
    }

    static config::App app(const std::string& id) {
        config::App a;
        a.id = id;
        a.key = id + "-key";
        a.secret = id + "-secret";
        return a;
    }

    std::filesystem::path dir_;
    std::string path_;
};

TEST_F(SqliteStoreTest, MigrateUpsertAndLookups) {
    SqliteStore store(path_);
    store.migrate();
    store.migrate();  // idempotent
    EXPECT_FALSE(store.find_by_key("a-key").has_value());
    config::App a = app("a");
    a.limits.max_connections = 3;
    store.upsert(a);
    store.upsert(app("b"));
    auto by_key = store.find_by_key("a-key");
    ASSERT_TRUE(by_key.has_value());
    EXPECT_EQ(by_key->id, "a");
    EXPECT_EQ(by_key->limits.max_connections, 3);
    auto by_id = store.find_by_id("b");
    ASSERT_TRUE(by_id.has_value());
    EXPECT_EQ(by_id->key, "b-key");
    EXPECT_FALSE(store.find_by_id("b-key").has_value()) << "ids and keys are different columns";
    a.enabled = false;
    a.key = "a-new-key";
    store.upsert(a);  // same id: updated in place
    EXPECT_FALSE(store.find_by_key("a-key").has_value());
    ASSERT_TRUE(store.find_by_key("a-new-key").has_value());
    EXPECT_FALSE(store.find_by_key("a-new-key")->enabled);
    EXPECT_EQ(store.all().size(), 2u);
    EXPECT_NO_THROW(store.check_health());
}

TEST_F(SqliteStoreTest, RowsWrittenByHandUseTheColumns) {
    SqliteStore store(path_);
    store.migrate();
    sql("INSERT INTO applications (id, \"key\", secret, max_connections, enable_client_messages, "
        "enabled, "
        "max_client_events_per_second, max_event_batch_size) VALUES ('h', 'hk', 'hs', 2, TRUE, "
        "TRUE, 10, 4)");
    auto h = store.find_by_key("hk");
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->limits.max_connections, 2);
    EXPECT_EQ(h->limits.max_client_events_per_second, 10);
    EXPECT_EQ(h->limits.max_event_batch_size, 4);
    EXPECT_TRUE(h->enable_client_messages);
}

TEST_F(SqliteStoreTest, MissingJsonColumnsOfAnOlderTableAreAdded) {
    sql("CREATE TABLE applications (id VARCHAR(255) PRIMARY KEY, \"key\" VARCHAR(255) UNIQUE NOT "
        "NULL, "
        "secret VARCHAR(255) NOT NULL, max_connections INTEGER NOT NULL, enable_client_messages "
        "BOOLEAN NOT NULL, "
        "enabled BOOLEAN NOT NULL, max_backend_events_per_second INTEGER, "
        "max_client_events_per_second INTEGER "
        "NOT NULL, max_read_requests_per_second INTEGER, max_presence_members_per_channel INTEGER, "
        "max_presence_member_size_in_kb INTEGER, max_channel_name_length INTEGER, "
        "max_event_channels_at_once "
        "INTEGER, max_event_name_length INTEGER, max_event_payload_in_kb INTEGER, "
        "max_event_batch_size INTEGER, "
        "enable_user_authentication BOOLEAN, enable_watchlist_events BOOLEAN)");
    sql("INSERT INTO applications (id, \"key\", secret, max_connections, enable_client_messages, "
        "enabled, "
        "max_client_events_per_second) VALUES ('old', 'ok', 'os', 0, FALSE, TRUE, 0)");
    SqliteStore store(path_);
    store.migrate();
    auto old = store.find_by_id("old");
    ASSERT_TRUE(old.has_value()) << "rows of the older table are kept";
    store.upsert(app("new"));
    EXPECT_TRUE(store.find_by_key("new-key").has_value());
}

TEST_F(SqliteStoreTest, AnUnopenableFileIsAStoreError) {
    SqliteStore store((dir_ / "missing-dir" / "apps.db").string());
    EXPECT_THROW(store.migrate(), StoreError);
    EXPECT_THROW(store.check_health(), StoreError);
}

}  // namespace
}  // namespace sockudo::apps
