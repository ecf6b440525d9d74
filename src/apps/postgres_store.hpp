#pragma once
// PostgreSQL app store (libpq), Sockudo's `pgsql` driver and schema.

#include <string>

#include "apps/app_store.hpp"

struct pg_conn;
struct pg_result;

namespace sockudo::apps {

class PostgresStore final : public AppStore {
public:
    explicit PostgresStore(config::SqlDatabaseOptions options);
    ~PostgresStore() override;

    void migrate() override;
    std::optional<config::App> find_by_key(const std::string& key) override;
    std::optional<config::App> find_by_id(const std::string& id) override;
    std::vector<config::App> all() override;
    void upsert(const config::App& app) override;
    void check_health() override;

private:
    // Runs one statement; a broken connection is reopened once before giving up.
    pg_result* run(const std::string& sql, const std::vector<std::optional<std::string>>& params);
    pg_result* run_once(const std::string& sql,
                        const std::vector<std::optional<std::string>>& params);
    pg_conn* connection();
    void disconnect();
    std::vector<config::App> select(const std::string& where,
                                    const std::vector<std::optional<std::string>>& params);

    config::SqlDatabaseOptions options_;
    std::string table_;
    pg_conn* conn_ = nullptr;
};

}  // namespace sockudo::apps
