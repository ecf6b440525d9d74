#include "webhooks/redis_job_queue.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <algorithm>

#include "config/load.hpp"
#include "webhooks/job_json.hpp"

namespace sockudo::webhooks {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds kFirstRetry{500};
constexpr milliseconds kMaxRetry{10000};
// Unreadable entries skipped per pop(), so one pop() stays short.
constexpr int kMaxSkippedPerPop = 100;

struct ReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

timeval to_timeval(milliseconds ms) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
    return tv;
}

Reply command(redisContext* c, const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    return Reply(static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data())));
}

}  // namespace

RedisJobQueue::RedisJobQueue(RedisJobQueueSettings settings, AppLookup lookup)
    : settings_(std::move(settings)),
      lookup_(std::move(lookup)),
      fallback_(settings_.memory_capacity),
      delay_(kFirstRetry) {
    if (settings_.target.tls) {
        spdlog::error(
            "webhook queue: rediss:// is not supported by the queue's Redis client; webhook jobs "
            "are kept in this node's memory");
    }
}

RedisJobQueue::~RedisJobQueue() {
    disconnect();
}

void RedisJobQueue::disconnect() {
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
}

bool RedisJobQueue::ensure_connected() {
    if (context_ != nullptr) return true;
    if (settings_.target.tls || Clock::now() < next_attempt_) return false;
    if (connect()) {
        delay_ = kFirstRetry;
        if (reported_up_ != true) {
            spdlog::info("webhook queue: using Redis list {} at {}:{}", settings_.key,
                         settings_.target.host, settings_.target.port);
            if (fallback_.size() != 0) {
                spdlog::info("webhook queue: {} job(s) held in memory are delivered first",
                             fallback_.size());
            }
        }
        reported_up_ = true;
        return true;
    }
    next_attempt_ = Clock::now() + delay_;
    delay_ = std::min(delay_ * 2, kMaxRetry);
    return false;
}

bool RedisJobQueue::connect() {
    const config::RedisTarget& t = settings_.target;
    context_ = redisConnectWithTimeout(t.host.c_str(), t.port, to_timeval(settings_.timeout));
    if (context_ == nullptr || context_->err != 0) {
        lost(context_ ? context_->errstr : "cannot allocate a connection");
        return false;
    }
    redisSetTimeout(context_, to_timeval(settings_.timeout));
    redisEnableKeepAlive(context_);
    std::vector<std::vector<std::string>> hello;
    if (t.password) {
        hello.push_back(t.username ? std::vector<std::string>{"AUTH", *t.username, *t.password}
                                   : std::vector<std::string>{"AUTH", *t.password});
    }
    if (t.db != 0) hello.push_back({"SELECT", std::to_string(t.db)});
    for (const auto& args : hello) {
        Reply r = command(context_, args);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            lost(r ? std::string(r->str, r->len) : std::string(context_->errstr));
            return false;
        }
    }
    return true;
}

// Logs once per change of state, not once per failed attempt.
void RedisJobQueue::lost(const std::string& why) {
    disconnect();
    if (reported_up_ != false) {
        spdlog::warn(
            "webhook queue: Redis at {}:{} unreachable ({}); holding webhook jobs in memory "
            "and retrying",
            settings_.target.host, settings_.target.port, why);
    }
    reported_up_ = false;
}

bool RedisJobQueue::push(WebhookJob job) {
    if (ensure_connected()) {
        Reply r = command(context_, {"LPUSH", settings_.key, job_to_json(job)});
        if (r && r->type == REDIS_REPLY_INTEGER) return true;
        lost(r ? std::string(r->str, r->len) : std::string(context_->errstr));
        next_attempt_ = Clock::now() + delay_;
    }
    return fallback_.push(std::move(job));
}

std::optional<WebhookJob> RedisJobQueue::pop() {
    if (auto job = fallback_.pop()) return job;
    for (int skipped = 0; skipped < kMaxSkippedPerPop; ++skipped) {
        if (!ensure_connected()) return std::nullopt;
        Reply r = command(context_, {"RPOP", settings_.key});
        if (!r || r->type == REDIS_REPLY_ERROR) {
            lost(r ? std::string(r->str, r->len) : std::string(context_->errstr));
            next_attempt_ = Clock::now() + delay_;
            return std::nullopt;
        }
        if (r->type != REDIS_REPLY_STRING) return std::nullopt;  // nil: the list is empty
        auto stored = job_from_json(std::string_view(r->str, r->len));
        if (!stored) {
            spdlog::error("webhook queue: dropping an unreadable entry of {}", settings_.key);
            continue;
        }
        auto app = lookup_(stored->app_id);
        if (!app) {
            spdlog::warn("webhook queue: dropping a job of app {}, which no longer exists",
                         stored->app_id);
            continue;
        }
        return WebhookJob{std::move(app), stored->time_ms, std::move(stored->events)};
    }
    return std::nullopt;
}

std::unique_ptr<JobQueue> make_redis_job_queue(const config::Options& options, AppLookup lookup,
                                               size_t memory_capacity) {
    std::string error;
    auto target = config::parse_redis_url(config::redis_url(options), error);
    if (!target) {
        throw config::ConfigError(
            "queue.driver=redis: the Redis URL (REDIS_URL or database.redis) is unusable: " +
            error);
    }
    RedisJobQueueSettings s;
    s.target = std::move(*target);
    s.key = options.queue_redis_prefix + "webhooks";
    s.memory_capacity = memory_capacity;
    return std::make_unique<RedisJobQueue>(std::move(s), std::move(lookup));
}

}  // namespace sockudo::webhooks
