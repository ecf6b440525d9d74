#pragma once
// The embedded app store (libsqlite3): the persistent choice for a single node.

#include <memory>
#include <string>

#include "apps/app_store.hpp"

struct sqlite3;

namespace sockudo::apps {

class SqliteStore final : public AppStore {
public:
    explicit SqliteStore(std::string path);
    ~SqliteStore() override;

    void migrate() override;
    std::optional<config::App> find_by_key(const std::string& key) override;
    std::optional<config::App> find_by_id(const std::string& id) override;
    std::vector<config::App> all() override;
    void upsert(const config::App& app) override;
    void check_health() override;

private:
    sqlite3* db();
    std::vector<config::App> select(const char* where, const std::string* value);
    void exec(const std::string& sql);

    std::string path_;
    sqlite3* db_ = nullptr;
};

}  // namespace sockudo::apps
