#pragma once
// Webhook jobs between batching and delivery: one app's events that go out together. The
// queue is an interface so a shared back-end (Redis, with at-least-once leases) can replace the
// in-process one without touching batching or delivery.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "config/app.hpp"
#include "webhooks/webhook_event.hpp"

namespace sockudo::webhooks {

struct WebhookJob {
    std::shared_ptr<const config::App> app;
    int64_t time_ms = 0;  // creation time of the oldest event
    std::vector<WebhookEvent> events;
};

class JobQueue {
public:
    virtual ~JobQueue() = default;
    // False when the job was not accepted (the queue is full).
    virtual bool push(WebhookJob job) = 0;
    virtual std::optional<WebhookJob> pop() = 0;
    virtual size_t size() const = 0;
};

// Bounded, single-threaded (owned by the dispatcher thread).
class MemoryJobQueue final : public JobQueue {
public:
    explicit MemoryJobQueue(size_t capacity) : capacity_(capacity) {}
    bool push(WebhookJob job) override {
        if (jobs_.size() >= capacity_) return false;
        jobs_.push_back(std::move(job));
        return true;
    }
    std::optional<WebhookJob> pop() override {
        if (jobs_.empty()) return std::nullopt;
        WebhookJob job = std::move(jobs_.front());
        jobs_.pop_front();
        return job;
    }
    size_t size() const override { return jobs_.size(); }

private:
    size_t capacity_;
    std::deque<WebhookJob> jobs_;
};

}  // namespace sockudo::webhooks
