#pragma once
// Webhook jobs in a Redis list shared by the cluster (queue.driver=redis): every node pushes its
// jobs there and pops whatever is next, so each job is delivered once by the cluster and
// survives the restart of the node that made it. Jobs carry the app id, not its secret; the app
// is looked up when the job is popped.
//
// Used only by the webhook dispatcher thread, which may wait briefly but not long: commands
// have short timeouts, reconnects are spaced by a back-off, and while Redis is unreachable jobs
// are held (bounded) in memory and delivered from there.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/options.hpp"
#include "config/redis_url.hpp"
#include "webhooks/job_queue.hpp"

struct redisContext;

namespace sockudo::webhooks {

// The app's current configuration, or null when it no longer exists.
using AppLookup = std::function<std::shared_ptr<const config::App>(const std::string& app_id)>;

struct RedisJobQueueSettings {
    config::RedisTarget target;
    std::string key;  // the list: {queue.redis.prefix}webhooks
    size_t memory_capacity = 100000;
    std::chrono::milliseconds timeout{500};  // connect and each command
};

class RedisJobQueue final : public JobQueue {
public:
    RedisJobQueue(RedisJobQueueSettings settings, AppLookup lookup);
    ~RedisJobQueue() override;
    RedisJobQueue(const RedisJobQueue&) = delete;
    RedisJobQueue& operator=(const RedisJobQueue&) = delete;

    // To Redis when reachable, else to memory; false only when memory is full too.
    bool push(WebhookJob job) override;
    // Jobs held in memory first (they are this node's alone), then the shared list.
    std::optional<WebhookJob> pop() override;
    // Jobs held in memory; the shared list belongs to the cluster.
    size_t size() const override { return fallback_.size(); }

    bool connected() const { return context_ != nullptr; }

private:
    bool ensure_connected();
    bool connect();
    void lost(const std::string& why);
    void disconnect();

    RedisJobQueueSettings settings_;
    AppLookup lookup_;
    MemoryJobQueue fallback_;
    redisContext* context_ = nullptr;
    std::chrono::steady_clock::time_point next_attempt_{};
    std::chrono::milliseconds delay_;
    std::optional<bool> reported_up_;
};

// queue.driver=redis: the list under queue.redis.prefix on REDIS_URL / database.redis. Throws
// config::ConfigError when that URL is unusable.
std::unique_ptr<JobQueue> make_redis_job_queue(const config::Options& options, AppLookup lookup,
                                               size_t memory_capacity);

}  // namespace sockudo::webhooks
