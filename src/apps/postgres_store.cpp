#include "apps/postgres_store.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "apps/app_row.hpp"

namespace sockudo::apps {

namespace {

// Seconds; a stopped database must not hold a database thread for long (lookups queue behind).
constexpr const char* kConnectTimeoutS = "3";
constexpr const char* kStatementTimeout = "-c statement_timeout=5000";

std::string create_sql(const std::string& t) {
    return "CREATE TABLE IF NOT EXISTS " + t + R"( (
  id VARCHAR(255) PRIMARY KEY,
  key VARCHAR(255) UNIQUE NOT NULL,
  secret VARCHAR(255) NOT NULL,
  max_connections INTEGER NOT NULL,
  enable_client_messages BOOLEAN NOT NULL DEFAULT FALSE,
  enabled BOOLEAN NOT NULL DEFAULT TRUE,
  max_backend_events_per_second INTEGER,
  max_client_events_per_second INTEGER NOT NULL,
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
  policy JSONB,
  webhooks JSONB,
  allowed_origins JSONB,
  channel_delta_compression JSONB,
  idempotency JSONB,
  connection_recovery JSONB,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP))";
}

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

PostgresStore::PostgresStore(config::SqlDatabaseOptions options)
    : options_(std::move(options)), table_("\"" + options_.table_name + "\"") {}

PostgresStore::~PostgresStore() {
    disconnect();
}

void PostgresStore::disconnect() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
}

PGconn* PostgresStore::connection() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) return conn_;
    disconnect();
    const std::string port = std::to_string(options_.port);
    const char* keys[] = {"host",    "port",
                          "user",    "password",
                          "dbname",  "connect_timeout",
                          "options", "application_name",
                          nullptr};
    const char* values[] = {options_.host.c_str(),
                            port.c_str(),
                            options_.username.c_str(),
                            options_.password ? options_.password->c_str() : "",
                            options_.database.c_str(),
                            kConnectTimeoutS,
                            kStatementTimeout,
                            "sockudo",
                            nullptr};
    conn_ = PQconnectdbParams(keys, values, 0);
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
        std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
        disconnect();
        while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
            message.pop_back();
        throw StoreError("postgres " + options_.host + ":" + port + ": " + message);
    }
    return conn_;
}

PGresult* PostgresStore::run_once(const std::string& sql,
                                  const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PGresult* r = PQexecParams(connection(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    PQclear(r);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw StoreError("postgres: " + message);
}

PGresult* PostgresStore::run(const std::string& sql,
                             const std::vector<std::optional<std::string>>& params) {
    const bool was_connected = conn_ != nullptr;
    try {
        return run_once(sql, params);
    } catch (const StoreError&) {
        // A server restart leaves a dead connection behind: reopen once. A live connection
        // that failed the statement gives the same error again, which is then reported.
        if (!was_connected || (conn_ && PQstatus(conn_) == CONNECTION_OK)) throw;
        disconnect();
        return run_once(sql, params);
    }
}

void PostgresStore::migrate() {
    PQclear(run(create_sql(table_), {}));
    for (auto column : kAddedJsonColumns) {
        PQclear(run(
            "ALTER TABLE " + table_ + " ADD COLUMN IF NOT EXISTS " + std::string(column) + " JSONB",
            {}));
    }
    for (auto column : kTimestampColumns) {
        PQclear(run("ALTER TABLE " + table_ + " ADD COLUMN IF NOT EXISTS " + std::string(column) +
                        " TIMESTAMP DEFAULT CURRENT_TIMESTAMP",
                    {}));
    }
    PQclear(run("CREATE INDEX IF NOT EXISTS idx_" + options_.table_name + "_enabled ON " + table_ +
                    " (enabled)",
                {}));
}

std::vector<config::App> PostgresStore::select(
    const std::string& where, const std::vector<std::optional<std::string>>& params) {
    Result r(run("SELECT " + column_list('"') + " FROM " + table_ + where, params));
    std::vector<config::App> out;
    const int rows = PQntuples(r.get());
    for (int i = 0; i < rows; ++i) {
        Row row(kColumns.size());
        for (size_t c = 0; c < kColumns.size(); ++c) {
            const int col = static_cast<int>(c);
            if (PQgetisnull(r.get(), i, col)) continue;
            row[c] = std::string(PQgetvalue(r.get(), i, col),
                                 static_cast<size_t>(PQgetlength(r.get(), i, col)));
        }
        out.push_back(app_from_row(row));
    }
    return out;
}

std::optional<config::App> PostgresStore::find_by_key(const std::string& key) {
    auto rows = select(" WHERE key = $1", {key});
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::optional<config::App> PostgresStore::find_by_id(const std::string& id) {
    auto rows = select(" WHERE id = $1", {id});
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::vector<config::App> PostgresStore::all() {
    return select("", {});
}

void PostgresStore::upsert(const config::App& app) {
    std::string placeholders, updates;
    for (size_t i = 0; i < kColumns.size(); ++i) {
        placeholders += (i ? ", $" : "$") + std::to_string(i + 1);
        if (i == 0) continue;
        updates += "\"" + std::string(kColumns[i]) + "\" = EXCLUDED.\"" + std::string(kColumns[i]) +
                   "\", ";
    }
    PQclear(run("INSERT INTO " + table_ + " (" + column_list('"') + ") VALUES (" + placeholders +
                    ") ON CONFLICT (id) DO UPDATE SET " + updates +
                    "updated_at = CURRENT_TIMESTAMP",
                row_from_app(app)));
}

void PostgresStore::check_health() {
    PQclear(run("SELECT 1", {}));
}

}  // namespace sockudo::apps
