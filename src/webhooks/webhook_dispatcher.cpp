#include "webhooks/webhook_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <map>
#include <queue>
#include <unordered_map>

#include "protocol/ascii.hpp"
#include "protocol/signature.hpp"
#include "webhooks/endpoint_filter.hpp"
#include "webhooks/http_sender.hpp"
#include "webhooks/job_queue.hpp"
#include "webhooks/leave_debouncer.hpp"

namespace sockudo::webhooks {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

int64_t unix_ms() {
    return std::chrono::duration_cast<milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Headers the receiver uses to authenticate the request: an app's custom headers never replace
// them.
bool reserved_header(std::string_view name) {
    return protocol::iequals_ascii(name, "Content-Type") ||
           protocol::iequals_ascii(name, "X-Pusher-Key") ||
           protocol::iequals_ascii(name, "X-Pusher-Signature");
}

constexpr uint64_t kSubscriptionCountBurst = 100;
constexpr milliseconds kSubscriptionCountInterval{5000};

}  // namespace

DispatcherSettings DispatcherSettings::from(const config::Options& options) {
    const config::WebhookOptions& w = options.webhooks;
    DispatcherSettings s;
    s.batching = w.batching_enabled;
    s.batch_window = milliseconds(std::max<int64_t>(1, w.batching_duration_ms));
    s.batch_size = static_cast<size_t>(std::max<int64_t>(1, w.batching_size));
    s.retry.enabled = w.retry_enabled;
    s.retry.max_attempts = w.retry_max_attempts;
    s.retry.max_elapsed = milliseconds(w.retry_max_elapsed_time_ms);
    s.retry.initial_backoff = milliseconds(std::max<int64_t>(1, w.retry_initial_backoff_ms));
    s.retry.max_backoff = milliseconds(std::max<int64_t>(1, w.retry_max_backoff_ms));
    s.request_timeout = milliseconds(std::max<int64_t>(1, w.request_timeout_ms));
    s.leave_delay = milliseconds(std::max<int64_t>(0, w.leave_delay_ms));
    return s;
}

// Everything the dispatcher thread owns.
class WebhookDispatcher::Loop {
public:
    Loop(const DispatcherSettings& settings, DispatcherStats& stats, std::unique_ptr<JobQueue> jobs)
        : settings_(settings),
          stats_(stats),
          leaves_(settings.leave_delay),
          jobs_(std::move(jobs)) {
        if (!jobs_) jobs_ = std::make_unique<MemoryJobQueue>(settings_.max_intake);
    }

    void push(Produced p) {
        {
            std::lock_guard lock(intake_mutex_);
            if (intake_.size() >= settings_.max_intake) {
                stats_.dropped.fetch_add(1, std::memory_order_relaxed);
                return;
            }
            intake_.push_back(std::move(p));
        }
        sender_.wakeup();
    }

    void request_stop(milliseconds budget) {
        {
            std::lock_guard lock(intake_mutex_);
            stop_deadline_ = Clock::now() + budget;
            stopping_ = true;
        }
        sender_.wakeup();
    }

    void run() {
        for (;;) {
            std::vector<Produced> batch;
            bool stopping = false;
            Clock::time_point deadline{};
            {
                std::lock_guard lock(intake_mutex_);
                batch.swap(intake_);
                stopping = stopping_;
                deadline = stop_deadline_;
            }
            const Clock::time_point now = Clock::now();
            for (Produced& p : batch) handle(std::move(p), now);
            release_due(now, stopping);
            drain_jobs();
            pump();
            if (stopping && (idle() || now >= deadline)) {
                if (!idle()) {
                    const uint64_t lost =
                        ready_.size() + retries_.size() + sender_.in_flight() + jobs_->size();
                    stats_.dropped.fetch_add(lost, std::memory_order_relaxed);
                    spdlog::warn("webhooks: {} deliveries unfinished at shutdown", lost);
                }
                return;
            }
            sender_.poll(wait_time(now, stopping));
        }
    }

private:
    struct Delivery {
        HttpPost post;
        std::string app_id;
        int64_t attempts = 0;
        Clock::time_point first_attempt{};
    };
    struct Retry {
        Clock::time_point due;
        std::shared_ptr<Delivery> delivery;
        bool operator>(const Retry& other) const { return due > other.due; }
    };
    struct AppBatch {
        std::shared_ptr<const config::App> app;
        int64_t time_ms = 0;
        std::vector<WebhookEvent> events;
        Clock::time_point flush_at{};
    };
    struct CountThrottle {
        Clock::time_point last_sent{};
        std::optional<Produced> waiting;
    };

    static std::string debounce_key(const Produced& p) {
        std::string key = p.app->id;
        key.push_back('\x1f');
        key += p.event.channel;
        if (p.event.user_id) {
            key.push_back('\x1f');
            key += *p.event.user_id;
        }
        return key;
    }

    void handle(Produced p, Clock::time_point now) {
        switch (p.kind) {
            case Kind::Arrival:
                if (leaves_.arrive(debounce_key(p))) enqueue_event(std::move(p), now);
                return;
            case Kind::Leave: {
                std::string key = debounce_key(p);
                if (auto immediate = leaves_.leave(key, std::move(p), now)) {
                    enqueue_event(std::move(*immediate), now);
                }
                return;
            }
            case Kind::Plain:
                if (p.event.subscription_count) {
                    throttle_count(std::move(p), now);
                } else {
                    enqueue_event(std::move(p), now);
                }
                return;
        }
    }

    // Above 100 subscribers a channel reports its count at most once per 5 s (the latest value).
    void throttle_count(Produced p, Clock::time_point now) {
        std::string key = debounce_key(p);
        CountThrottle& t = counts_[key];
        const bool burst = *p.event.subscription_count > kSubscriptionCountBurst;
        if (!burst || now - t.last_sent >= kSubscriptionCountInterval) {
            t.last_sent = now;
            t.waiting.reset();
            enqueue_event(std::move(p), now);
        } else {
            t.waiting = std::move(p);
        }
    }

    void enqueue_event(Produced p, Clock::time_point now) {
        if (!app_wants_type(*p.app, p.event.name)) return;
        stats_.events.fetch_add(1, std::memory_order_relaxed);
        if (!settings_.batching) {
            WebhookJob job{p.app, p.time_ms, {}};
            job.events.push_back(std::move(p.event));
            enqueue_job(std::move(job));
            return;
        }
        AppBatch& b = batches_[p.app->id];
        if (b.events.empty()) {
            b.time_ms = p.time_ms;
            b.flush_at = now + settings_.batch_window;
        }
        b.app = p.app;  // the newest configuration of the app wins
        b.events.push_back(std::move(p.event));
        if (b.events.size() >= settings_.batch_size) flush(b);
    }

    void flush(AppBatch& b) {
        if (b.events.empty()) return;
        enqueue_job(WebhookJob{b.app, b.time_ms, std::move(b.events)});
        b.events.clear();
    }

    void enqueue_job(WebhookJob job) {
        if (!jobs_->push(std::move(job))) {
            spdlog::error("webhooks: job queue full; dropping a job");
            stats_.dropped.fetch_add(1, std::memory_order_relaxed);
        }
    }

    // Turns queued jobs into deliveries while there is room for them.
    void drain_jobs() {
        while (ready_.size() + retries_.size() < settings_.max_waiting_deliveries) {
            std::optional<WebhookJob> job = jobs_->pop();
            if (!job) return;
            dispatch(*job->app, job->time_ms, job->events);
        }
    }

    // One request per endpoint, carrying only the events that endpoint selected.
    void dispatch(const config::App& app, int64_t time_ms,
                  const std::vector<WebhookEvent>& events) {
        std::map<std::string, const config::WebhookTarget*> endpoints;  // same URL: last wins
        for (const auto& w : app.webhooks) {
            if (!w.url.empty()) endpoints[w.url] = &w;
        }
        for (const auto& [url, endpoint] : endpoints) {
            std::vector<const WebhookEvent*> selected;
            for (const auto& e : events) {
                if (endpoint_wants_type(*endpoint, e.name) &&
                    endpoint_accepts_channel(*endpoint, e.channel)) {
                    selected.push_back(&e);
                }
            }
            if (selected.empty()) continue;
            auto d = std::make_shared<Delivery>();
            d->app_id = app.id;
            d->post.url = url;
            d->post.body = request_body(time_ms, selected);
            d->post.timeout =
                endpoint->request_timeout_ms
                    ? milliseconds(std::max<int64_t>(1, *endpoint->request_timeout_ms))
                    : settings_.request_timeout;
            for (const auto& [name, value] : endpoint->headers) {
                if (!reserved_header(name)) d->post.headers.emplace_back(name, value);
            }
            d->post.headers.emplace_back("Content-Type", "application/json");
            d->post.headers.emplace_back("Accept", "application/json");
            d->post.headers.emplace_back("User-Agent", settings_.user_agent);
            d->post.headers.emplace_back("X-Pusher-Key", app.key);
            d->post.headers.emplace_back("X-Pusher-Signature",
                                         protocol::hmac_sha256_hex(app.secret, d->post.body));
            // curl would otherwise send "Expect: 100-continue" for larger bodies and wait.
            d->post.headers.emplace_back("Expect", "");
            make_room();
            ready_.push_back(std::move(d));
        }
    }

    void make_room() {
        while (!ready_.empty() &&
               ready_.size() + retries_.size() >= settings_.max_waiting_deliveries) {
            const auto& oldest = ready_.front();
            spdlog::error("webhooks: delivery queue full; dropping a request to {} of app {}",
                          oldest->post.url, oldest->app_id);
            ready_.pop_front();
            stats_.dropped.fetch_add(1, std::memory_order_relaxed);
        }
    }

    void pump() {
        while (!ready_.empty() && sender_.in_flight() < settings_.max_in_flight) {
            std::shared_ptr<Delivery> d = std::move(ready_.front());
            ready_.pop_front();
            if (d->attempts == 0) d->first_attempt = Clock::now();
            ++d->attempts;
            HttpPost post = d->post;
            sender_.start(std::move(post), [this, d](const HttpResult& r) { finished(d, r); });
        }
    }

    void finished(const std::shared_ptr<Delivery>& d, const HttpResult& r) {
        const DeliveryOutcome outcome = classify_delivery(r.status);
        if (outcome == DeliveryOutcome::Delivered) {
            stats_.delivered.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        const std::string why = r.status != 0 ? "HTTP " + std::to_string(r.status) : r.error;
        if (outcome == DeliveryOutcome::Retryable && !stopping_now()) {
            const auto elapsed =
                std::chrono::duration_cast<milliseconds>(Clock::now() - d->first_attempt);
            if (auto delay = settings_.retry.next_delay(d->attempts, elapsed)) {
                spdlog::warn("webhooks: {} for app {} failed ({}), attempt {}; retrying in {} ms",
                             d->post.url, d->app_id, why, d->attempts, delay->count());
                stats_.retried.fetch_add(1, std::memory_order_relaxed);
                retries_.push(Retry{Clock::now() + *delay, d});
                return;
            }
        }
        spdlog::error("webhooks: {} for app {} failed ({}) after {} attempt(s); giving up",
                      d->post.url, d->app_id, why, d->attempts);
        stats_.failed.fetch_add(1, std::memory_order_relaxed);
    }

    bool stopping_now() {
        std::lock_guard lock(intake_mutex_);
        return stopping_;
    }

    void release_due(Clock::time_point now, bool stopping) {
        for (Produced& p : stopping ? leaves_.take_all() : leaves_.take_due(now)) {
            enqueue_event(std::move(p), now);
        }
        for (auto it = counts_.begin(); it != counts_.end();) {
            CountThrottle& t = it->second;
            if (t.waiting && (stopping || now - t.last_sent >= kSubscriptionCountInterval)) {
                t.last_sent = now;
                Produced p = std::move(*t.waiting);
                t.waiting.reset();
                enqueue_event(std::move(p), now);
            }
            if (!t.waiting && now - t.last_sent >= kSubscriptionCountInterval) {
                it = counts_.erase(it);
            } else {
                ++it;
            }
        }
        for (auto& [id, b] : batches_) {
            if (!b.events.empty() && (stopping || b.flush_at <= now)) flush(b);
        }
        while (!retries_.empty() && (stopping || retries_.top().due <= now)) {
            std::shared_ptr<Delivery> d = retries_.top().delivery;
            retries_.pop();
            if (stopping) {
                stats_.dropped.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
            ready_.push_back(std::move(d));
        }
    }

    bool idle() const {
        if (!ready_.empty() || !retries_.empty() || sender_.in_flight() != 0 || jobs_->size() != 0)
            return false;
        if (leaves_.pending() != 0) return false;
        return std::all_of(batches_.begin(), batches_.end(),
                           [](const auto& entry) { return entry.second.events.empty(); });
    }

    milliseconds wait_time(Clock::time_point now, bool stopping) const {
        if (stopping) return milliseconds(20);
        Clock::time_point next = now + milliseconds(500);
        if (auto due = leaves_.next_due()) next = std::min(next, *due);
        if (!retries_.empty()) next = std::min(next, retries_.top().due);
        for (const auto& [id, b] : batches_) {
            if (!b.events.empty()) next = std::min(next, b.flush_at);
        }
        for (const auto& [key, t] : counts_) {
            if (t.waiting) next = std::min(next, t.last_sent + kSubscriptionCountInterval);
        }
        auto wait = std::chrono::duration_cast<milliseconds>(next - now) + milliseconds(1);
        return std::max(milliseconds(0), wait);
    }

    const DispatcherSettings& settings_;
    DispatcherStats& stats_;
    HttpSender sender_;

    std::mutex intake_mutex_;
    std::vector<Produced> intake_;
    bool stopping_ = false;
    Clock::time_point stop_deadline_{};

    LeaveDebouncer<Produced> leaves_;
    std::unique_ptr<JobQueue> jobs_;
    std::unordered_map<std::string, CountThrottle> counts_;
    std::unordered_map<std::string, AppBatch> batches_;
    std::deque<std::shared_ptr<Delivery>> ready_;
    std::priority_queue<Retry, std::vector<Retry>, std::greater<>> retries_;
};

WebhookDispatcher::WebhookDispatcher(DispatcherSettings settings, std::unique_ptr<JobQueue> jobs)
    : settings_(std::move(settings)),
      loop_(std::make_unique<Loop>(settings_, stats_, std::move(jobs))) {}

WebhookDispatcher::~WebhookDispatcher() {
    stop(milliseconds(0));
}

void WebhookDispatcher::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { loop_->run(); });
}

void WebhookDispatcher::stop(milliseconds budget) {
    if (!thread_.joinable()) return;
    loop_->request_stop(budget);
    thread_.join();
}

void WebhookDispatcher::submit(const config::App& app, WebhookEvent event, Kind kind) {
    Produced p;
    p.app = std::make_shared<const config::App>(app);
    p.event = std::move(event);
    p.kind = kind;
    p.time_ms = unix_ms();
    loop_->push(std::move(p));
}

namespace {

WebhookEvent named(const char* name, std::string_view channel) {
    WebhookEvent e;
    e.name = name;
    e.channel = std::string(channel);
    return e;
}

bool wants_either(const config::App& app, const char* a, const char* b) {
    return app_wants_type(app, a) || app_wants_type(app, b);
}

}  // namespace

void WebhookDispatcher::channel_occupied(const config::App& app, std::string_view channel) {
    // The pair is tracked even when only one side is wanted: an arrival must cancel a leave.
    if (!wants_either(app, event_name::kChannelOccupied, event_name::kChannelVacated)) return;
    submit(app, named(event_name::kChannelOccupied, channel), Kind::Arrival);
}

void WebhookDispatcher::channel_vacated(const config::App& app, std::string_view channel) {
    if (!wants_either(app, event_name::kChannelOccupied, event_name::kChannelVacated)) return;
    submit(app, named(event_name::kChannelVacated, channel), Kind::Leave);
}

void WebhookDispatcher::member_added(const config::App& app, std::string_view channel,
                                     std::string_view user_id) {
    if (!wants_either(app, event_name::kMemberAdded, event_name::kMemberRemoved)) return;
    WebhookEvent e = named(event_name::kMemberAdded, channel);
    e.user_id = std::string(user_id);
    submit(app, std::move(e), Kind::Arrival);
}

void WebhookDispatcher::member_removed(const config::App& app, std::string_view channel,
                                       std::string_view user_id) {
    if (!wants_either(app, event_name::kMemberAdded, event_name::kMemberRemoved)) return;
    WebhookEvent e = named(event_name::kMemberRemoved, channel);
    e.user_id = std::string(user_id);
    submit(app, std::move(e), Kind::Leave);
}

void WebhookDispatcher::client_event(const config::App& app, std::string_view channel,
                                     std::string_view event, std::string_view data,
                                     std::string_view socket_id, const std::string* user_id) {
    if (!app_wants_type(app, event_name::kClientEvent)) return;
    WebhookEvent e = named(event_name::kClientEvent, channel);
    e.event = std::string(event);
    e.data = std::string(data);
    e.socket_id = std::string(socket_id);
    if (user_id != nullptr) e.user_id = *user_id;
    submit(app, std::move(e), Kind::Plain);
}

void WebhookDispatcher::cache_miss(const config::App& app, std::string_view channel) {
    if (!app_wants_type(app, event_name::kCacheMiss)) return;
    submit(app, named(event_name::kCacheMiss, channel), Kind::Plain);
}

void WebhookDispatcher::subscription_count(const config::App& app, std::string_view channel,
                                           uint64_t count) {
    if (!app_wants_type(app, event_name::kSubscriptionCount)) return;
    WebhookEvent e = named(event_name::kSubscriptionCount, channel);
    e.subscription_count = count;
    submit(app, std::move(e), Kind::Plain);
}

}  // namespace sockudo::webhooks
