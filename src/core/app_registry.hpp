#pragma once
// Lookup of apps by key (WebSocket connect) and by id (HTTP API). Read-mostly; lookups take a
// shared lock and return a reference-counted runtime that stays valid while it is used.

#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/options.hpp"
#include "core/app_runtime.hpp"

namespace sockudo::core {

class AppRegistry {
public:
    // `workers`: how many worker threads write traffic counters.
    explicit AppRegistry(const config::Options& options, unsigned workers = 1);

    AppPtr find_by_key(std::string_view key) const;
    AppPtr find_by_id(std::string_view id) const;
    std::vector<AppPtr> all() const;
    size_t size() const;

private:
    config::LimitDefaults defaults_;
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, AppPtr> by_key_;
    std::unordered_map<std::string, AppPtr> by_id_;
};

}  // namespace sockudo::core
