#pragma once
// The `memory` app manager (operations.md §2.2): apps from config and env, fixed for the life
// of the process.

#include <map>

#include "apps/app_store.hpp"

namespace sockudo::apps {

class MemoryStore final : public AppStore {
public:
    explicit MemoryStore(const std::vector<config::App>& apps);

    void migrate() override {}
    std::optional<config::App> find_by_key(const std::string& key) override;
    std::optional<config::App> find_by_id(const std::string& id) override;
    std::vector<config::App> all() override;
    void upsert(const config::App& app) override;
    void check_health() override {}

private:
    std::map<std::string, config::App> by_id_;
};

}  // namespace sockudo::apps
