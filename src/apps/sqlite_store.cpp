#include "apps/sqlite_store.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>

#include "apps/app_row.hpp"

namespace sockudo::apps {

namespace {

constexpr const char* kTable = "applications";
// Another process (an operator's sqlite3 shell) may hold the write lock for a moment.
constexpr int kBusyTimeoutMs = 2000;

// SQLite's types are per value; the column types follow the PostgreSQL schema's names so the
// table reads the same to an operator.
constexpr const char* kCreate = R"(CREATE TABLE IF NOT EXISTS applications (
  id VARCHAR(255) PRIMARY KEY,
  "key" VARCHAR(255) UNIQUE NOT NULL,
  secret VARCHAR(255) NOT NULL,
  max_connections INTEGER NOT NULL DEFAULT 0,
  enable_client_messages BOOLEAN NOT NULL DEFAULT 0,
  enabled BOOLEAN NOT NULL DEFAULT 1,
  max_backend_events_per_second INTEGER,
  max_client_events_per_second INTEGER NOT NULL DEFAULT 0,
  max_read_requests_per_second INTEGER,
  max_presence_members_per_channel INTEGER,
  max_presence_member_size_in_kb INTEGER,
  max_channel_name_length INTEGER,
  max_event_channels_at_once INTEGER,
  max_event_name_length INTEGER,
  max_event_payload_in_kb INTEGER,
  max_event_batch_size INTEGER,
  enable_user_authentication BOOLEAN,
  enable_watchlist_events BOOLEAN,
  policy TEXT,
  webhooks TEXT,
  allowed_origins TEXT,
  channel_delta_compression TEXT,
  idempotency TEXT,
  connection_recovery TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP))";

struct Statement {
    sqlite3_stmt* stmt = nullptr;
    ~Statement() { sqlite3_finalize(stmt); }
};

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    throw StoreError("sqlite: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

SqliteStore::SqliteStore(std::string path) : path_(std::move(path)) {}

SqliteStore::~SqliteStore() {
    sqlite3_close(db_);
}

sqlite3* SqliteStore::db() {
    if (db_ != nullptr) return db_;
    sqlite3* handle = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path_.c_str(), &handle, flags, nullptr) != SQLITE_OK) {
        std::string message = handle ? sqlite3_errmsg(handle) : "out of memory";
        sqlite3_close(handle);
        throw StoreError("sqlite: cannot open " + path_ + ": " + message);
    }
    sqlite3_busy_timeout(handle, kBusyTimeoutMs);
    db_ = handle;
    return db_;
}

void SqliteStore::exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db(), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw StoreError("sqlite: " + message);
    }
}

void SqliteStore::migrate() {
    exec(kCreate);
    std::vector<std::string> present;
    {
        Statement s;
        if (sqlite3_prepare_v2(db(), "PRAGMA table_info(applications)", -1, &s.stmt, nullptr) !=
            SQLITE_OK)
            fail(db_, "table_info");
        while (sqlite3_step(s.stmt) == SQLITE_ROW) {
            present.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 1)));
        }
    }
    for (auto column : kAddedJsonColumns) {
        if (std::find(present.begin(), present.end(), column) != present.end()) continue;
        exec(std::string("ALTER TABLE ") + kTable + " ADD COLUMN " + std::string(column) + " TEXT");
        spdlog::info("app store: added column {} to {}", column, kTable);
    }
    for (auto column : kTimestampColumns) {
        if (std::find(present.begin(), present.end(), column) != present.end()) continue;
        // SQLite refuses a CURRENT_TIMESTAMP default on ALTER TABLE; writes set updated_at.
        exec(std::string("ALTER TABLE ") + kTable + " ADD COLUMN " + std::string(column) +
             " TIMESTAMP");
    }
    exec("CREATE INDEX IF NOT EXISTS idx_applications_enabled ON applications(enabled)");
}

std::vector<config::App> SqliteStore::select(const char* where, const std::string* value) {
    const std::string sql = "SELECT " + column_list('"') + " FROM " + kTable + where;
    Statement s;
    if (sqlite3_prepare_v2(db(), sql.c_str(), -1, &s.stmt, nullptr) != SQLITE_OK)
        fail(db_, "select");
    if (value)
        sqlite3_bind_text(s.stmt, 1, value->data(), static_cast<int>(value->size()),
                          SQLITE_TRANSIENT);
    std::vector<config::App> out;
    for (;;) {
        const int rc = sqlite3_step(s.stmt);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) fail(db_, "select");
        Row row(kColumns.size());
        for (size_t i = 0; i < kColumns.size(); ++i) {
            const int col = static_cast<int>(i);
            if (sqlite3_column_type(s.stmt, col) == SQLITE_NULL) continue;
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, col));
            row[i] = std::string(text, static_cast<size_t>(sqlite3_column_bytes(s.stmt, col)));
        }
        out.push_back(app_from_row(row));
    }
    return out;
}

std::optional<config::App> SqliteStore::find_by_key(const std::string& key) {
    auto rows = select(" WHERE \"key\" = ?1", &key);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::optional<config::App> SqliteStore::find_by_id(const std::string& id) {
    auto rows = select(" WHERE id = ?1", &id);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::vector<config::App> SqliteStore::all() {
    return select("", nullptr);
}

void SqliteStore::upsert(const config::App& app) {
    std::string placeholders, updates;
    for (size_t i = 0; i < kColumns.size(); ++i) {
        placeholders += (i ? ", ?" : "?") + std::to_string(i + 1);
        if (i == 0) continue;
        if (!updates.empty()) updates += ", ";
        updates +=
            "\"" + std::string(kColumns[i]) + "\" = excluded.\"" + std::string(kColumns[i]) + "\"";
    }
    const std::string sql = std::string("INSERT INTO ") + kTable + " (" + column_list('"') +
                            ") VALUES (" + placeholders + ") ON CONFLICT(id) DO UPDATE SET " +
                            updates + ", updated_at = CURRENT_TIMESTAMP";
    Statement s;
    if (sqlite3_prepare_v2(db(), sql.c_str(), -1, &s.stmt, nullptr) != SQLITE_OK)
        fail(db_, "upsert");
    const Row row = row_from_app(app);
    for (size_t i = 0; i < row.size(); ++i) {
        const int index = static_cast<int>(i + 1);
        if (!row[i]) {
            sqlite3_bind_null(s.stmt, index);
        } else {
            sqlite3_bind_text(s.stmt, index, row[i]->data(), static_cast<int>(row[i]->size()),
                              SQLITE_TRANSIENT);
        }
    }
    if (sqlite3_step(s.stmt) != SQLITE_DONE) fail(db_, "upsert " + app.id);
}

void SqliteStore::check_health() {
    exec("SELECT 1");
}

}  // namespace sockudo::apps
