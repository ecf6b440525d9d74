#pragma once
// An application (tenant) as configured: credentials, limits and feature flags.
// Pure data; loaded from config files, env (the default app) or, later, app managers.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sockudo::config {

// A webhook endpoint of an app (operations.md §7.1). Delivery lives in webhooks/.
struct WebhookTarget {
    std::string url;                             // empty when lambda-only
    std::vector<std::string> event_types;        // empty = none selected (Sockudo requires a list)
    std::optional<std::string> filter_prefix;    // channel_prefix / channel_name_starts_with
    std::optional<std::string> filter_suffix;    // channel_suffix / channel_name_ends_with
    std::optional<std::string> filter_pattern;   // channel_pattern (ECMAScript regex, searched)
    std::vector<std::string> filter_namespaces;  // channel_namespace(s)
    std::optional<int64_t> request_timeout_ms;
    std::vector<std::pair<std::string, std::string>> headers;
};

// Limits of one app. std::nullopt = "not set here": the server-wide default applies.
// Unlimited is kUnlimited (any negative value in a source, or 0 where Sockudo says so).
struct AppLimits {
    static constexpr int64_t kUnlimited = -1;

    int64_t max_connections = 0;               // 0 or negative = unlimited
    int64_t max_client_events_per_second = 0;  // 0 or negative = no limiter
    std::optional<int64_t> max_backend_events_per_second;
    std::optional<int64_t> max_read_requests_per_second;
    std::optional<int64_t> max_presence_members_per_channel;
    std::optional<int64_t> max_presence_member_size_in_kb;
    std::optional<int64_t> max_channel_name_length;
    std::optional<int64_t> max_event_channels_at_once;
    std::optional<int64_t> max_event_name_length;
    std::optional<int64_t> max_event_payload_in_kb;
    std::optional<int64_t> max_event_batch_size;
    std::optional<int64_t> decay_seconds;  // client-event window, default 1 s
    bool terminate_on_limit = false;
};

struct App {
    std::string id;
    std::string key;
    std::string secret;
    bool enabled = true;
    AppLimits limits;
    bool enable_client_messages = false;
    bool enable_user_authentication = false;
    bool enable_watchlist_events = false;
    bool enable_subscription_count = false;
    bool ssl_only = false;
    std::vector<std::string> allowed_origins;  // empty = every origin allowed
    std::vector<WebhookTarget> webhooks;
};

}  // namespace sockudo::config
