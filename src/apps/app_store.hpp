#pragma once
// Where app records live (operations.md §2.1): one driver per file. Calls are synchronous and
// may block on the network, so they run only on the database threads of a StorePool, never on
// a worker. One store object is one connection and is used by one thread at a time.

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/app.hpp"
#include "config/options.hpp"

namespace sockudo::apps {

// The database could not answer (unreachable, query failed). Callers treat the store as down.
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class AppStore {
public:
    virtual ~AppStore() = default;

    // Creates the applications table when absent and adds missing columns (§2.3).
    virtual void migrate() = 0;
    virtual std::optional<config::App> find_by_key(const std::string& key) = 0;
    virtual std::optional<config::App> find_by_id(const std::string& id) = 0;
    virtual std::vector<config::App> all() = 0;
    // Insert, or update the row with the same id (start-up registration of inline apps).
    virtual void upsert(const config::App& app) = 0;
    // A round trip to the database; throws StoreError when it is unreachable.
    virtual void check_health() = 0;
};

using StoreFactory = std::function<std::unique_ptr<AppStore>()>;

// A factory for the configured driver; each call opens its own connection (lazily). Throws
// config::ConfigError for a table name that is not a plain identifier.
StoreFactory make_store_factory(const config::Options& options);

// How many database threads the driver wants (one connection each).
unsigned store_threads(const config::Options& options);

}  // namespace sockudo::apps
