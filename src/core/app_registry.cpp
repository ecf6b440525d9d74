#include "core/app_registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <mutex>

#include "config/app_record.hpp"
#include "transport/worker.hpp"

namespace sockudo::core {

namespace {

using Clock = std::chrono::steady_clock;

apps::CacheLimits limits_for(const config::Options& options, bool database) {
    apps::CacheLimits limits;
    // Memory apps never change, so their entries never expire.
    limits.ttl = database ? std::chrono::seconds(options.app_manager_cache_ttl_s)
                          : std::chrono::milliseconds(0);
    limits.negative_ttl = apps::negative_ttl_for(limits.ttl);
    return limits;
}

bool same_record(const config::App& a, const config::App& b) {
    return a.id == b.id && a.key == b.key && a.secret == b.secret && a.enabled == b.enabled &&
           boost::json::serialize(config::app_policy_json(a)) ==
               boost::json::serialize(config::app_policy_json(b));
}

}  // namespace

AppRegistry::AppRegistry(const config::Options& options, unsigned workers)
    : defaults_(options.limits),
      workers_(workers),
      by_key_(limits_for(options, false)),
      by_id_(limits_for(options, false)) {
    const auto now = Clock::now();
    for (const auto& app : options.apps) {
        AppPtr runtime = runtime_for(app);
        by_key_.put(app.key, runtime, now);
        by_id_.put(app.id, runtime, now);
    }
}

AppRegistry::AppRegistry(const config::Options& options, unsigned workers,
                         std::unique_ptr<apps::StorePool> pool,
                         const std::vector<config::App>& initial)
    : defaults_(options.limits),
      workers_(workers),
      by_key_(limits_for(options, true)),
      by_id_(limits_for(options, true)),
      pool_(std::move(pool)) {
    const auto now = Clock::now();
    for (const auto& app : initial) {
        AppPtr runtime = runtime_for(app);
        by_key_.put(app.key, runtime, now);
        by_id_.put(app.id, runtime, now);
    }
}

AppRegistry::~AppRegistry() {
    stop();
}

void AppRegistry::stop() {
    if (pool_) pool_->stop();
}

AppPtr AppRegistry::runtime_for(const config::App& app) {
    auto it = runtimes_.find(app.id);
    if (it == runtimes_.end()) {
        auto runtime = std::make_shared<AppRuntime>(app, defaults_, workers_);
        runtimes_.emplace(app.id, runtime);
        return runtime;
    }
    if (!same_record(it->second->app(), app)) {
        spdlog::info("app {}: record changed in the app store (enabled={}), applied", app.id,
                     app.enabled);
        it->second->update(app, defaults_);
    }
    return it->second;
}

void AppRegistry::find_by_key(const std::string& key, transport::Worker& worker,
                              LookupCallback done) {
    find(Kind::Key, key, worker, std::move(done));
}

void AppRegistry::find_by_id(const std::string& id, transport::Worker& worker,
                             LookupCallback done) {
    find(Kind::Id, id, worker, std::move(done));
}

void AppRegistry::find(Kind kind, const std::string& value, transport::Worker& worker,
                       LookupCallback done) {
    const auto now = Clock::now();
    {
        std::shared_lock lock(mutex_);
        const auto probe = cache(kind).get(value, now);
        if (probe.state == Cache::State::Fresh) {
            AppPtr app = *probe.value;
            lock.unlock();
            done(std::move(app), LookupStatus::Found);
            return;
        }
        if (probe.state == Cache::State::Absent || !pool_) {
            lock.unlock();
            done(nullptr, LookupStatus::NotFound);
            return;
        }
    }
    {
        std::unique_lock lock(mutex_);
        const auto probe = cache(kind).get(value, now);  // another thread may have answered
        if (probe.state != Cache::State::Miss) {
            AppPtr app = probe.value ? *probe.value : nullptr;
            lock.unlock();
            done(app, app ? LookupStatus::Found : LookupStatus::NotFound);
            return;
        }
        switch (cache(kind).join(value, Waiter{&worker, done})) {
            case Cache::Join::Joined:
                return;
            case Cache::Join::Full: {
                // Too many lookups in flight; a known app still gets its last record.
                AppPtr stale = probe.value ? *probe.value : nullptr;
                lock.unlock();
                done(stale, stale ? LookupStatus::Found : LookupStatus::Busy);
                return;
            }
            case Cache::Join::Started:
                break;
        }
    }
    const bool queued = pool_->lookup(kind, value, [this, kind, value](apps::StoreAnswer answer) {
        on_answer(kind, value, std::move(answer), false);
    });
    if (!queued) on_answer(kind, value, apps::StoreAnswer{}, true);
}

void AppRegistry::on_answer(Kind kind, const std::string& value, apps::StoreAnswer answer,
                            bool busy) {
    const auto now = Clock::now();
    AppPtr app;
    LookupStatus status = LookupStatus::NotFound;
    std::vector<Waiter> waiters;
    {
        std::unique_lock lock(mutex_);
        if (answer.available && answer.app) {
            app = runtime_for(*answer.app);
            by_id_.put(answer.app->id, app, now);
            by_key_.put(answer.app->key, app, now);
            status = LookupStatus::Found;
        } else if (answer.available) {
            cache(kind).put_absent(value, now);
        } else {
            // The database could not be asked: a known app keeps its last record (stale), an
            // unknown one is not found, and nothing is cached so the next lookup asks again.
            const auto probe = cache(kind).get(value, now);
            if (probe.value) {
                app = *probe.value;
                status = LookupStatus::Found;
            } else if (busy) {
                status = LookupStatus::Busy;
            }
        }
        waiters = cache(kind).finish(value);
    }
    for (auto& w : waiters) {
        w.worker->post([done = std::move(w.done), app, status] { done(app, status); });
    }
}

AppPtr AppRegistry::known(Kind kind, std::string_view value) const {
    std::shared_lock lock(mutex_);
    const auto probe = cache(kind).get(std::string(value), Clock::now());
    return probe.value ? *probe.value : nullptr;
}

AppPtr AppRegistry::find_fresh_by_id(const std::string& id) const {
    std::shared_lock lock(mutex_);
    const auto probe = cache(Kind::Id).get(id, Clock::now());
    return probe.state == Cache::State::Fresh ? *probe.value : nullptr;
}

AppPtr AppRegistry::find_by_key(std::string_view key) const {
    return known(Kind::Key, key);
}

AppPtr AppRegistry::find_by_id(std::string_view id) const {
    return known(Kind::Id, id);
}

std::vector<AppPtr> AppRegistry::all() const {
    std::shared_lock lock(mutex_);
    std::vector<AppPtr> out;
    out.reserve(runtimes_.size());
    for (const auto& entry : runtimes_) out.push_back(entry.second);
    std::sort(out.begin(), out.end(),
              [](const AppPtr& a, const AppPtr& b) { return a->app().id < b->app().id; });
    return out;
}

size_t AppRegistry::size() const {
    std::shared_lock lock(mutex_);
    return runtimes_.size();
}

}  // namespace sockudo::core
