#include "apps/mysql_store.hpp"

#include <mysql.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "apps/app_row.hpp"

namespace sockudo::apps {

namespace {

// Seconds; a stopped database must not hold a database thread for long.
constexpr unsigned kConnectTimeoutS = 3;
constexpr unsigned kReadWriteTimeoutS = 5;

std::string create_sql(const std::string& t) {
    return "CREATE TABLE IF NOT EXISTS " + t + R"( (
  id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  `key` VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  secret VARCHAR(255) NOT NULL,
  max_connections INT UNSIGNED NOT NULL,
  enable_client_messages BOOLEAN NOT NULL DEFAULT FALSE,
  enabled BOOLEAN NOT NULL DEFAULT TRUE,
  max_backend_events_per_second INT UNSIGNED NULL,
  max_client_events_per_second INT UNSIGNED NOT NULL,
  max_read_requests_per_second INT UNSIGNED NULL,
  max_presence_members_per_channel INT UNSIGNED NULL,
  max_presence_member_size_in_kb INT UNSIGNED NULL,
  max_channel_name_length INT UNSIGNED NULL,
  max_event_channels_at_once INT UNSIGNED NULL,
  max_event_name_length INT UNSIGNED NULL,
  max_event_payload_in_kb INT UNSIGNED NULL,
  max_event_batch_size INT UNSIGNED NULL,
  enable_user_authentication BOOLEAN NULL,
  enable_watchlist_events BOOLEAN NULL,
  policy JSON NULL,
  webhooks JSON NULL,
  allowed_origins JSON NULL,
  channel_delta_compression JSON NULL,
  idempotency JSON NULL,
  connection_recovery JSON NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY idx_key (`key`),
  KEY idx_enabled (enabled)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci)";
}

// Errors that mean the connection is gone (server restarted or stopped), not a bad statement.
bool connection_lost(unsigned code) {
    return code == 2006 /* CR_SERVER_GONE_ERROR */ || code == 2013 /* CR_SERVER_LOST */ ||
           code == 2002 /* CR_CONNECTION_ERROR */ || code == 2003 /* CR_CONN_HOST_ERROR */ ||
           code == 2055 /* CR_SERVER_LOST_EXTENDED */;
}

}  // namespace

MysqlStore::MysqlStore(config::SqlDatabaseOptions options)
    : options_(std::move(options)), table_("`" + options_.table_name + "`") {}

MysqlStore::~MysqlStore() {
    disconnect();
}

void MysqlStore::disconnect() {
    if (conn_) mysql_close(conn_);
    conn_ = nullptr;
}

MYSQL* MysqlStore::connection() {
    if (conn_) return conn_;
    MYSQL* m = mysql_init(nullptr);
    if (!m) throw StoreError("mysql: out of memory");
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &kConnectTimeoutS);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &kReadWriteTimeoutS);
    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &kReadWriteTimeoutS);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const char* password = options_.password ? options_.password->c_str() : "";
    if (!mysql_real_connect(m, options_.host.c_str(), options_.username.c_str(), password,
                            options_.database.c_str(), options_.port, nullptr, CLIENT_FOUND_ROWS)) {
        std::string message = mysql_error(m);
        mysql_close(m);
        throw StoreError("mysql " + options_.host + ":" + std::to_string(options_.port) + ": " +
                         message);
    }
    conn_ = m;
    return conn_;
}

std::vector<Row> MysqlStore::query_once(const std::string& sql) {
    MYSQL* m = connection();
    if (mysql_real_query(m, sql.data(), sql.size()) != 0) {
        const unsigned code = mysql_errno(m);
        std::string message = mysql_error(m);
        if (connection_lost(code)) disconnect();
        throw StoreError("mysql: " + message);
    }
    std::vector<Row> rows;
    MYSQL_RES* result = mysql_store_result(m);
    if (!result) {
        if (mysql_field_count(m) != 0) throw StoreError(std::string("mysql: ") + mysql_error(m));
        return rows;
    }
    const unsigned fields = mysql_num_fields(result);
    while (MYSQL_ROW r = mysql_fetch_row(result)) {
        unsigned long* lengths = mysql_fetch_lengths(result);
        Row row(fields);
        for (unsigned i = 0; i < fields; ++i) {
            if (r[i]) row[i] = std::string(r[i], lengths[i]);
        }
        rows.push_back(std::move(row));
    }
    mysql_free_result(result);
    return rows;
}

std::vector<Row> MysqlStore::query(const std::string& sql) {
    const bool was_connected = conn_ != nullptr;
    try {
        return query_once(sql);
    } catch (const StoreError&) {
        // Reopen once after a server restart; a failed statement on a live connection is final.
        if (!was_connected || conn_ != nullptr) throw;
        return query_once(sql);
    }
}

std::string MysqlStore::quote(const std::optional<std::string>& value) {
    if (!value) return "NULL";
    std::string out(value->size() * 2 + 1, '\0');
    const unsigned long n =
        mysql_real_escape_string(connection(), out.data(), value->data(), value->size());
    out.resize(n);
    return "'" + out + "'";
}

void MysqlStore::migrate() {
    query(create_sql(table_));
    std::vector<std::string> present;
    for (const Row& row :
         query("SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = "
               "DATABASE() AND TABLE_NAME = " +
               quote(options_.table_name))) {
        if (!row.empty() && row[0]) present.push_back(*row[0]);
    }
    for (auto column : kAddedJsonColumns) {
        if (std::find(present.begin(), present.end(), column) != present.end()) continue;
        query("ALTER TABLE " + table_ + " ADD COLUMN " + std::string(column) + " JSON NULL");
        spdlog::info("app store: added column {} to {}", column, options_.table_name);
    }
    for (auto column : kTimestampColumns) {
        if (std::find(present.begin(), present.end(), column) != present.end()) continue;
        query("ALTER TABLE " + table_ + " ADD COLUMN " + std::string(column) +
              " TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP");
    }
}

std::vector<config::App> MysqlStore::select(const std::string& where) {
    std::vector<config::App> out;
    for (const Row& row : query("SELECT " + column_list('`') + " FROM " + table_ + where)) {
        out.push_back(app_from_row(row));
    }
    return out;
}

std::optional<config::App> MysqlStore::find_by_key(const std::string& key) {
    auto rows = select(" WHERE `key` = " + quote(key));
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::optional<config::App> MysqlStore::find_by_id(const std::string& id) {
    auto rows = select(" WHERE id = " + quote(id));
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::vector<config::App> MysqlStore::all() {
    return select("");
}

void MysqlStore::upsert(const config::App& app) {
    // UPDATE by id, then INSERT: ON DUPLICATE KEY UPDATE would also fire on the unique `key`
    // and silently rewrite another app's row when an inline app reuses its key.
    const Row row = row_from_app(app);
    std::string values, updates;
    for (size_t i = 0; i < kColumns.size(); ++i) {
        values += (i ? ", " : "") + quote(row[i]);
        if (i == 0) continue;
        updates += (updates.empty() ? "" : ", ") + ("`" + std::string(kColumns[i]) + "` = ") +
                   quote(row[i]);
    }
    query("UPDATE " + table_ + " SET " + updates + " WHERE id = " + quote(row[0]));
    if (mysql_affected_rows(conn_) > 0) return;  // matched rows (CLIENT_FOUND_ROWS)
    query("INSERT INTO " + table_ + " (" + column_list('`') + ") VALUES (" + values + ")");
}

void MysqlStore::check_health() {
    query("SELECT 1");
}

}  // namespace sockudo::apps
