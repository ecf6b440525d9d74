#pragma once
// MySQL / MariaDB app store (MariaDB Connector/C), Sockudo's `mysql` driver and schema.

#include <string>

#include "apps/app_row.hpp"
#include "apps/app_store.hpp"

struct st_mysql;

namespace sockudo::apps {

class MysqlStore final : public AppStore {
public:
    explicit MysqlStore(config::SqlDatabaseOptions options);
    ~MysqlStore() override;

    void migrate() override;
    std::optional<config::App> find_by_key(const std::string& key) override;
    std::optional<config::App> find_by_id(const std::string& id) override;
    std::vector<config::App> all() override;
    void upsert(const config::App& app) override;
    void check_health() override;

private:
    st_mysql* connection();
    void disconnect();
    // Runs one statement and returns its rows (empty for statements without a result); a
    // broken connection is reopened once before giving up.
    std::vector<Row> query(const std::string& sql);
    std::vector<Row> query_once(const std::string& sql);
    std::string quote(const std::optional<std::string>& value);
    std::vector<config::App> select(const std::string& where);

    config::SqlDatabaseOptions options_;
    std::string table_;
    st_mysql* conn_ = nullptr;
};

}  // namespace sockudo::apps
