#include "core/app_runtime.hpp"

namespace sockudo::core {

namespace {

int64_t pick(const std::optional<int64_t>& app_value, int64_t server_default) {
    return app_value.has_value() ? *app_value : server_default;
}

}  // namespace

EffectiveLimits effective_limits(const config::App& app, const config::LimitDefaults& d) {
    const auto& l = app.limits;
    EffectiveLimits e;
    e.max_connections = l.max_connections;
    e.max_client_events_per_second = l.max_client_events_per_second;
    e.max_presence_members_per_channel =
        pick(l.max_presence_members_per_channel, d.max_presence_members_per_channel);
    int64_t member_kb = pick(l.max_presence_member_size_in_kb, d.max_presence_member_size_in_kb);
    e.max_presence_member_size_bytes = member_kb <= 0 ? 0 : member_kb * 1024;
    e.max_channel_name_length = pick(l.max_channel_name_length, d.max_channel_name_length);
    e.max_event_channels_at_once = pick(l.max_event_channels_at_once, d.max_event_channels_at_once);
    e.max_event_name_length = pick(l.max_event_name_length, d.max_event_name_length);
    int64_t payload_kb = pick(l.max_event_payload_in_kb, d.max_event_payload_in_kb);
    e.max_event_payload_bytes = payload_kb <= 0 ? 0 : payload_kb * 1024;
    e.max_event_batch_size = pick(l.max_event_batch_size, d.max_event_batch_size);
    int64_t decay = l.decay_seconds.value_or(1);
    e.client_event_window_ms = decay <= 0 ? 1000 : decay * 1000;
    e.terminate_on_client_event_limit = l.terminate_on_limit;
    return e;
}

void AppRuntime::update(config::App config, const config::LimitDefaults& defaults) {
    auto settings = std::make_unique<AppSettings>();
    settings->limits = effective_limits(config, defaults);
    settings->app = std::move(config);
    std::lock_guard lock(update_mutex_);
    current_.store(settings.get(), std::memory_order_release);
    snapshots_.push_back(std::move(settings));
}

}  // namespace sockudo::core
