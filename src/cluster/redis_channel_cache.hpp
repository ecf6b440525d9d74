#pragma once
// Cache channels shared by the cluster (cache.driver=redis, operations.md §4.1): the last event
// of each cache channel lives at {prefix}:app:{app_id}:channel:{channel}:cache_miss, so a node
// that started after the publish replays it too, and the cache_miss webhook is claimed once per
// channel and window by the whole cluster (SET NX). Each node also keeps its local copy up to
// date and answers from it while Redis cannot.

#include <memory>
#include <string>

#include "cluster/redis_commands.hpp"
#include "core/channel_cache.hpp"

namespace sockudo::cluster {

class RedisChannelCache final : public core::ChannelCache {
public:
    // `client` must be started; `prefix` is cache.redis.prefix.
    RedisChannelCache(std::shared_ptr<RedisCommandClient> client, std::string prefix);

    void put(const core::AppPtr& app, const std::string& channel, core::CachedEvent event,
             std::chrono::seconds ttl) override;
    void get(const core::AppPtr& app, const std::string& channel, transport::Worker* worker,
             Found done) override;
    void claim_miss_report(const core::AppPtr& app, const std::string& channel,
                           std::chrono::seconds window, transport::Worker* worker,
                           Claimed done) override;
    bool answers_later() const override { return true; }
    bool healthy() const override { return client_->connected(); }

    std::string key(const std::string& app_id, const std::string& channel) const;

private:
    std::shared_ptr<RedisCommandClient> client_;
    std::string prefix_;
};

}  // namespace sockudo::cluster
