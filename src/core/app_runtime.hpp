#pragma once
// Everything the node tracks for one app: its configuration and its live state.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "config/app.hpp"
#include "config/options.hpp"
#include "core/cache_store.hpp"
#include "core/channel_directory.hpp"
#include "core/traffic_counters.hpp"
#include "core/user_directory.hpp"

namespace sockudo::core {

// Limits of one app with the server-wide defaults applied; <= 0 means unlimited.
struct EffectiveLimits {
    int64_t max_connections = 0;
    int64_t max_client_events_per_second = 0;
    int64_t max_presence_members_per_channel = 100;
    int64_t max_presence_member_size_bytes = 2 * 1024;
    int64_t max_channel_name_length = 200;
    int64_t max_event_channels_at_once = 100;
    int64_t max_event_name_length = 200;
    int64_t max_event_payload_bytes = 100 * 1024;
    int64_t max_event_batch_size = 10;
    int64_t client_event_window_ms = 1000;
    bool terminate_on_client_event_limit = false;
};

EffectiveLimits effective_limits(const config::App& app, const config::LimitDefaults& defaults);

// One app's configuration as of one lookup: immutable once published.
struct AppSettings {
    config::App app;
    EffectiveLimits limits;
};

class AppRuntime {
public:
    AppRuntime(config::App config, const config::LimitDefaults& defaults, unsigned workers = 1)
        : worker_count(std::max(1u, workers)),
          traffic_(std::make_unique<TrafficCounters[]>(worker_count)) {
        update(std::move(config), defaults);
    }

    // The current configuration. The reference stays valid for the runtime's lifetime, also
    // across update(): readers on the hot path take no lock and no reference count.
    const config::App& app() const { return current_.load(std::memory_order_acquire)->app; }
    const EffectiveLimits& limits() const {
        return current_.load(std::memory_order_acquire)->limits;
    }

    // Publishes a new configuration (an app manager saw the record change). Earlier snapshots
    // are kept because readers may still hold references to them; changes are operator edits,
    // so the list stays short.
    void update(config::App config, const config::LimitDefaults& defaults);

    // The counter block written by `worker` (see traffic_counters.hpp).
    TrafficCounters& traffic(unsigned worker) { return traffic_[worker % worker_count]; }
    const TrafficCounters& traffic(unsigned worker) const {
        return traffic_[worker % worker_count];
    }

    ChannelDirectory channels;
    UserDirectory users;
    CacheStore cache;
    std::atomic<int64_t> connections{0};
    const unsigned worker_count;

private:
    std::unique_ptr<TrafficCounters[]> traffic_;
    std::mutex update_mutex_;
    std::vector<std::unique_ptr<const AppSettings>> snapshots_;
    std::atomic<const AppSettings*> current_{nullptr};
};

using AppPtr = std::shared_ptr<AppRuntime>;

}  // namespace sockudo::core
