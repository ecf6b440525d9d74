#pragma once
// Turns the transitions core reports into signed webhook requests (protocol-v1 §12,
// operations.md §7): leave debouncing, per-app batching, per-endpoint filtering and signing,
// delivery with bounded concurrency, retries with back-off.
//
// Worker threads only append to a bounded intake list; everything else happens on the
// dispatcher's own thread, so no worker ever waits on a receiver.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/options.hpp"
#include "core/event_hooks.hpp"
#include "webhooks/job_queue.hpp"
#include "webhooks/retry_policy.hpp"
#include "webhooks/webhook_event.hpp"

namespace sockudo::webhooks {

struct DispatcherSettings {
    bool batching = false;
    std::chrono::milliseconds batch_window{50};
    size_t batch_size = 100;
    RetryPolicy retry;
    std::chrono::milliseconds request_timeout{10000};
    std::chrono::milliseconds leave_delay{3000};
    // Memory bounds: events waiting for the dispatcher thread, and deliveries waiting for a
    // slot or a retry. Beyond them the oldest work is dropped and counted.
    size_t max_intake = 100000;
    size_t max_waiting_deliveries = 10000;
    size_t max_in_flight = 20;
    std::string user_agent = "sockudo-webhooks";

    static DispatcherSettings from(const config::Options& options);
};

struct DispatcherStats {
    std::atomic<uint64_t> events{0};
    std::atomic<uint64_t> delivered{0};
    std::atomic<uint64_t> failed{0};
    std::atomic<uint64_t> retried{0};
    std::atomic<uint64_t> dropped{0};
};

class WebhookDispatcher final : public core::EventHooks {
public:
    // `jobs`: where jobs wait between batching and delivery (null: a bounded memory queue). It
    // is used on the dispatcher thread only.
    explicit WebhookDispatcher(DispatcherSettings settings,
                               std::unique_ptr<JobQueue> jobs = nullptr);
    ~WebhookDispatcher() override;
    WebhookDispatcher(const WebhookDispatcher&) = delete;
    WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

    void start();
    // Reports pending leaves now (this node's sockets are gone), flushes batches and lets
    // deliveries finish for at most `budget`; then stops the thread.
    void stop(std::chrono::milliseconds budget);

    const DispatcherStats& stats() const { return stats_; }

    void channel_occupied(const config::App&, std::string_view channel) override;
    void channel_vacated(const config::App&, std::string_view channel) override;
    void member_added(const config::App&, std::string_view channel,
                      std::string_view user_id) override;
    void member_removed(const config::App&, std::string_view channel,
                        std::string_view user_id) override;
    void client_event(const config::App&, std::string_view channel, std::string_view event,
                      std::string_view data, std::string_view socket_id,
                      const std::string* user_id) override;
    void cache_miss(const config::App&, std::string_view channel) override;
    void subscription_count(const config::App&, std::string_view channel, uint64_t count) override;

    enum class Kind { Arrival, Leave, Plain };
    struct Produced {
        std::shared_ptr<const config::App> app;
        WebhookEvent event;
        Kind kind = Kind::Plain;
        int64_t time_ms = 0;
    };

private:
    class Loop;
    void submit(const config::App& app, WebhookEvent event, Kind kind);

    DispatcherSettings settings_;
    DispatcherStats stats_;
    std::unique_ptr<Loop> loop_;
    std::thread thread_;
};

}  // namespace sockudo::webhooks
