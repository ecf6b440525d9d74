#pragma once
// Where cache channels keep their last event (protocol-v1 §7.4). The local cache is each app's
// CacheStore and answers at once; a shared cache (Redis, in the cluster layer) makes the last
// event and the cache_miss webhook cluster-wide and answers on a later loop turn.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/app_runtime.hpp"
#include "core/cache_store.hpp"

namespace sockudo::transport {
class Worker;
}

namespace sockudo::core {

class ChannelCache {
public:
    using Found = std::function<void(std::optional<CachedEvent>)>;
    using Claimed = std::function<void(bool)>;
    virtual ~ChannelCache() = default;

    virtual void put(const AppPtr& app, const std::string& channel, CachedEvent event,
                     std::chrono::seconds ttl) = 0;
    // `done` runs on `worker`'s thread (at once when the answer is), or on any thread when
    // `worker` is null.
    virtual void get(const AppPtr& app, const std::string& channel, transport::Worker* worker,
                     Found done) = 0;
    // cache_miss webhooks: true for one subscriber per channel and `window`.
    virtual void claim_miss_report(const AppPtr& app, const std::string& channel,
                                   std::chrono::seconds window, transport::Worker* worker,
                                   Claimed done) = 0;
    // False when every answer is given before the call returns.
    virtual bool answers_later() const = 0;
    // False while a shared store cannot be reached (answers then come from this node's copy).
    virtual bool healthy() const { return true; }
};

class LocalChannelCache final : public ChannelCache {
public:
    void put(const AppPtr& app, const std::string& channel, CachedEvent event,
             std::chrono::seconds ttl) override {
        app->cache.put(channel, std::move(event), ttl);
    }
    void get(const AppPtr& app, const std::string& channel, transport::Worker*,
             Found done) override {
        done(app->cache.get(channel));
    }
    void claim_miss_report(const AppPtr& app, const std::string& channel,
                           std::chrono::seconds window, transport::Worker*, Claimed done) override {
        done(app->cache.should_report_miss(channel, window));
    }
    bool answers_later() const override { return false; }
};

}  // namespace sockudo::core
