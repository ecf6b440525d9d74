#include "config/sockudo_keys.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace sockudo::config {

namespace {

constexpr const char* kApp = "app_manager.array.apps[]";

// Per section, the keys Sockudo reads there and this server does not. Keys this server reads are
// never reported, so they need not be listed. A listed key that holds a whole section (history,
// adapter.kafka, ...) is reported once; its children are not looked at.
const std::map<std::string, std::vector<std::string>>& table() {
    static const std::map<std::string, std::vector<std::string>> keys = {
        {"",
         {"server_role",
          "unix_socket",
          "cleanup",
          "database_pooling",
          "connection_recovery",
          "idempotency",
          "history",
          "presence_history",
          "versioned_messages",
          "annotations",
          "ephemeral",
          "echo_control",
          "event_name_filtering",
          "delta_compression",
          "tag_filtering",
          "ai_transport",
          "ably_compat",
          "push",
          "push_rules",
          "opentelemetry",
          "mcp"}},
        {"websocket",
         {"max_messages", "max_bytes", "disconnect_on_buffer_full", "max_message_size",
          "max_frame_size", "write_buffer_size", "auto_ping", "ping_interval", "idle_timeout",
          "compression"}},
        {"http_api", {"accept_traffic"}},
        {"metrics", {"tcp_exporter"}},
        {"rate_limiter.redis", {"cluster_mode"}},
        {"presence",
         {"update_rate_limit_per_member_per_second", "ungraceful_timeout_seconds",
          "v2_ungraceful_timeout_seconds"}},
        {"adapter",
         {"enable_socket_counting", "aggregate_counts", "fast_presence_transitions",
          "buffer_multiplier_per_cpu", "cluster", "kafka", "rabbitmq", "pulsar", "google_pubsub",
          "iggy"}},
        {"adapter.redis", {"redis_pub_options", "redis_sub_options", "cluster_mode"}},
        {"adapter.nats",
         {"nodes_number", "discovery_max_wait_ms", "discovery_idle_wait_ms",
          "subscription_capacity", "client_capacity", "max_reconnects", "presence_sync_chunk_size",
          "no_echo"}},
        {"app_manager", {"scylladb"}},
        {"cache", {"memory"}},
        {"cache.redis", {"prefix", "cluster_mode"}},
        {"queue",
         {"redis_cluster", "sqs", "sns", "nats", "pulsar", "rabbitmq", "google_pubsub", "kafka",
          "iggy", "reliability"}},
        {"queue.redis", {"concurrency", "response_timeout_ms", "cluster_mode"}},
        {"database", {"dynamodb", "surrealdb", "scylladb"}},
        {"database.redis",
         {"sentinels", "name", "sentinel_username", "sentinel_password", "sentinel_tls",
          "master_tls", "cluster", "cluster_nodes"}},
        {kApp,
         {"annotations_enabled", "channel_delta_compression", "idempotency", "connection_recovery",
          "channel_namespaces", "message_rate_limit"}},
        {std::string(kApp) + ".policy",
         {"idempotency", "connection_recovery", "history", "presence_history"}},
        {std::string(kApp) + ".policy.limits", {"message_rate_limit"}},
        {std::string(kApp) + ".policy.channels",
         {"annotations_enabled", "channel_delta_compression", "channel_namespaces"}},
        {std::string(kApp) + ".webhooks[]", {"lambda_function", "lambda", "retry"}},
        {std::string(kApp) + ".policy.webhooks[]", {"lambda_function", "lambda", "retry"}},
    };
    return keys;
}

}  // namespace

std::string normalize_key_path(const std::string& path) {
    std::string out;
    out.reserve(path.size());
    for (size_t i = 0; i < path.size(); ++i) {
        out.push_back(path[i]);
        if (path[i] != '[') continue;
        size_t j = i + 1;
        while (j < path.size() && std::isdigit(static_cast<unsigned char>(path[j]))) ++j;
        if (j > i + 1 && j < path.size() && path[j] == ']') i = j - 1;
    }
    return out;
}

const std::vector<std::string>& sockudo_only_keys_under(const std::string& normalized_section) {
    static const std::vector<std::string> none;
    auto it = table().find(normalized_section);
    return it == table().end() ? none : it->second;
}

bool sockudo_only_key(const std::string& normalized_path) {
    const size_t dot = normalized_path.rfind('.');
    const std::string section = dot == std::string::npos ? "" : normalized_path.substr(0, dot);
    const std::string name =
        dot == std::string::npos ? normalized_path : normalized_path.substr(dot + 1);
    const auto& keys = sockudo_only_keys_under(section);
    return std::find(keys.begin(), keys.end(), name) != keys.end();
}

}  // namespace sockudo::config
