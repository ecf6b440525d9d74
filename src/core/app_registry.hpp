#pragma once
// Lookup of apps by key (WebSocket connect) and by id (HTTP API), in front of the app store.
//
// With the memory driver every app is known at start and lookups answer at once. With a
// database driver, lookups go through the lookup cache (apps/lookup_cache.hpp): a fresh entry
// answers at once on the caller's thread; a miss joins or starts one query on the store's
// database threads and the answer is posted back to the caller's worker. The registry keeps
// one runtime per app id for the life of the process, so an app's live state (channels,
// counters) survives a refreshed record: a changed record is applied with AppRuntime::update().

#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "apps/lookup_cache.hpp"
#include "apps/store_pool.hpp"
#include "config/options.hpp"
#include "core/app_runtime.hpp"

namespace sockudo::transport {
class Worker;
}

namespace sockudo::core {

enum class LookupStatus {
    Found,     // app is set (possibly disabled: callers check enabled)
    NotFound,  // unknown, or the database is down and the app was never seen
    Busy,      // too many lookups in flight: try again shortly
};
using LookupCallback = std::function<void(AppPtr app, LookupStatus status)>;

class AppRegistry {
public:
    // Apps from the configuration (memory driver). `workers`: how many worker threads write
    // traffic counters.
    explicit AppRegistry(const config::Options& options, unsigned workers = 1);
    // Apps from a database through `pool`; `initial` warms the cache (the store's apps at start).
    AppRegistry(const config::Options& options, unsigned workers,
                std::unique_ptr<apps::StorePool> pool, const std::vector<config::App>& initial);
    ~AppRegistry();

    // Runs `done` before returning when the cache can answer, otherwise later on `worker`'s
    // thread. `done` runs exactly once unless the registry is stopped first.
    void find_by_key(const std::string& key, transport::Worker& worker, LookupCallback done);
    void find_by_id(const std::string& id, transport::Worker& worker, LookupCallback done);

    // The app when the cache holds it fresh, i.e. when find_by_id would answer before returning
    // with it; null otherwise (unknown, stale, not looked up yet).
    AppPtr find_fresh_by_id(const std::string& id) const;
    // What the registry already knows (fresh or stale), without asking the database.
    AppPtr find_by_key(std::string_view key) const;
    AppPtr find_by_id(std::string_view id) const;
    // Every app seen so far, by id.
    std::vector<AppPtr> all() const;
    size_t size() const;

    // Database state for /up and /stats; a memory registry is always healthy.
    bool database_backed() const { return pool_ != nullptr; }
    bool store_healthy() const { return !pool_ || pool_->healthy(); }
    std::string store_error() const { return pool_ ? pool_->last_error() : std::string(); }
    uint64_t store_queries() const { return pool_ ? pool_->queries() : 0; }

    // Stops the database threads; pending lookups are dropped. Call before the workers go.
    void stop();

private:
    struct Waiter {
        transport::Worker* worker;
        LookupCallback done;
    };
    using Cache = apps::LookupCache<AppPtr, Waiter>;
    using Kind = apps::StorePool::Kind;

    void find(Kind kind, const std::string& value, transport::Worker& worker, LookupCallback done);
    void on_answer(Kind kind, const std::string& value, apps::StoreAnswer answer, bool busy);
    // The runtime for `app`, created on first sight or updated when the record changed.
    AppPtr runtime_for(const config::App& app);
    Cache& cache(Kind kind) { return kind == Kind::Key ? by_key_ : by_id_; }
    const Cache& cache(Kind kind) const { return kind == Kind::Key ? by_key_ : by_id_; }
    AppPtr known(Kind kind, std::string_view value) const;

    config::LimitDefaults defaults_;
    unsigned workers_;
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, AppPtr> runtimes_;  // by id; never dropped
    Cache by_key_;
    Cache by_id_;
    std::unique_ptr<apps::StorePool> pool_;
};

}  // namespace sockudo::core
