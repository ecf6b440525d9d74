// --print-config: the effective configuration in Sockudo's key layout (so the output is itself a
// valid config file), with every secret replaced by "<redacted>".
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "config/app_record.hpp"
#include "config/drivers.hpp"
#include "config/load.hpp"

namespace sockudo::config {

namespace json = boost::json;

namespace {

const char* const kRedacted = "<redacted>";

json::value optional_value(const std::optional<int64_t>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

json::value secret(const std::optional<std::string>& v) {
    return v ? json::value(kRedacted) : json::value(nullptr);
}

json::value optional_text(const std::optional<std::string>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

json::array strings(const std::vector<std::string>& items) {
    json::array out;
    for (const auto& s : items) out.emplace_back(s);
    return out;
}

// Credentials in a URL: user:password@ and the query string (tokens are often passed there).
std::string redact_url(const std::string& url) {
    std::string out = url;
    const size_t scheme = out.find("://");
    const size_t authority = scheme == std::string::npos ? 0 : scheme + 3;
    const size_t path = out.find_first_of("/?#", authority);
    const size_t at = out.rfind('@', path == std::string::npos ? out.size() : path);
    if (at != std::string::npos && at >= authority)
        out.replace(authority, at - authority, kRedacted);
    const size_t query = out.find('?');
    if (query != std::string::npos) out = out.substr(0, query + 1) + kRedacted;
    return out;
}

json::array redacted_urls(const std::vector<std::string>& urls) {
    json::array out;
    for (const auto& u : urls) out.emplace_back(redact_url(u));
    return out;
}

bool credential_header(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "cookie") return true;
    for (const char* word :
         {"auth", "token", "secret", "key", "password", "signature", "credential", "session"}) {
        if (name.find(word) != std::string::npos) return true;
    }
    return false;
}

json::object webhook_json(const WebhookTarget& w) {
    json::object filter;
    if (w.filter_prefix) filter["channel_prefix"] = *w.filter_prefix;
    if (w.filter_suffix) filter["channel_suffix"] = *w.filter_suffix;
    if (w.filter_pattern) filter["channel_pattern"] = *w.filter_pattern;
    if (!w.filter_namespaces.empty()) filter["channel_namespaces"] = strings(w.filter_namespaces);
    json::object headers;
    for (const auto& [name, value] : w.headers)
        headers[name] = credential_header(name) ? json::value(kRedacted) : json::value(value);
    json::object out{{"url", redact_url(w.url)}, {"event_types", strings(w.event_types)}};
    if (!filter.empty()) out["filter"] = std::move(filter);
    if (!headers.empty()) out["headers"] = std::move(headers);
    if (w.request_timeout_ms) out["request_timeout_ms"] = *w.request_timeout_ms;
    return out;
}

json::object sql_database_json(const SqlDatabaseOptions& s) {
    return json::object{{"host", s.host},
                        {"port", s.port},
                        {"username", s.username},
                        {"password", secret(s.password)},
                        {"database", s.database},
                        {"table_name", s.table_name},
                        {"connection_pool_size", s.connection_pool_size}};
}

json::object app_json(const App& a) {
    json::object out{{"id", a.id}, {"key", a.key}, {"secret", kRedacted}, {"enabled", a.enabled}};
    out["policy"] = app_policy_json(a);
    return out;
}

json::object rate_json(const RateLimit& r) {
    return json::object{{"max_requests", r.max_requests},
                        {"window_seconds", r.window_seconds},
                        {"trust_hops", r.trust_hops}};
}

// REDIS_URL is where every Redis consumer connects; Sockudo stores it per consumer as
// <section>.redis.url_override.
json::object with_redis_url(const Options& o, json::object redis) {
    if (o.database.redis_url_override)
        redis["url_override"] = redact_url(*o.database.redis_url_override);
    return redis;
}

json::object driver_section(const Options& o, const char* driver) {
    json::object section{{"driver", driver}};
    if (o.database.redis_url_override) section["redis"] = with_redis_url(o, {});
    return section;
}

json::object adapter_json(const Options& o) {
    const AdapterOptions& a = o.adapter;
    return json::object{
        {"driver", driver_name(a.driver)},
        {"fallback_to_local", a.fallback_to_local},
        {"cluster_health", json::object{{"enabled", a.cluster_health_enabled},
                                        {"heartbeat_interval_ms", a.heartbeat_interval_ms},
                                        {"node_timeout_ms", a.node_timeout_ms},
                                        {"cleanup_interval_ms", a.cleanup_interval_ms}}},
        {"redis", json::object{{"prefix", a.redis_prefix},
                               {"requests_timeout", a.redis_requests_timeout_ms}}},
        {"nats", json::object{{"servers", redacted_urls(a.nats_servers)},
                              {"prefix", a.nats_prefix},
                              {"request_timeout_ms", a.nats_request_timeout_ms},
                              {"connection_timeout_ms", a.nats_connection_timeout_ms},
                              {"username", optional_text(a.nats_username)},
                              {"password", secret(a.nats_password)},
                              {"token", secret(a.nats_token)}}}};
}

json::object top_level_json(const Options& o) {
    return json::object{
        {"host", o.host},
        {"port", o.port},
        {"path_prefix", o.path_prefix},
        {"debug", o.debug},
        {"mode", o.mode},
        {"max_connections", o.max_connections},
        {"shutdown_grace_period", o.shutdown_grace_period_s},
        {"activity_timeout", o.activity_timeout_s},
        {"user_authentication_timeout", o.user_authentication_timeout_s},
        {"websocket_max_payload_kb", o.websocket_max_payload_kb},
        {"health_check_timeout_ms", o.health_check_timeout_ms},
        {"workers", o.workers},
        {"batched_writes", o.batched_writes},
        {"worker_cpu_affinity", o.worker_cpu_affinity},
        {"pong_timeout_ms", o.pong_timeout_ms},
        {"instance", json::object{{"process_id", o.instance_process_id}}},
        {"logging", json::object{{"colors_enabled", o.logging.colors_enabled},
                                 {"include_target", o.logging.include_target},
                                 {"format", o.logging.json ? "json" : "text"},
                                 {"level", o.logging.level}}},
        {"websocket", json::object{{"max_backpressure", o.max_backpressure_bytes}}},
    };
}

void add_listener_sections(const Options& o, json::object& root) {
    root["http_api"] = json::object{{"request_limit_in_mb", o.http_api.request_limit_in_mb},
                                    {"usage_enabled", o.http_api.usage_enabled}};
    root["metrics"] = json::object{{"enabled", o.metrics.enabled},
                                   {"driver", "prometheus"},
                                   {"host", o.metrics.host},
                                   {"port", o.metrics.port},
                                   {"prometheus", json::object{{"prefix", o.metrics.prefix}}}};
    const RateLimiterOptions& r = o.rate_limiter;
    root["rate_limiter"] = json::object{{"enabled", r.enabled},
                                        {"driver", driver_name(r.driver)},
                                        {"api_rate_limit", rate_json(r.api)},
                                        {"websocket_rate_limit", rate_json(r.websocket)},
                                        {"redis", with_redis_url(o, {{"prefix", r.redis_prefix}})},
                                        {"enforce_app_limits", r.enforce_app_limits}};
    root["cors"] = json::object{{"origin", strings(o.cors.origin)},
                                {"methods", strings(o.cors.methods)},
                                {"allowed_headers", strings(o.cors.allowed_headers)},
                                {"credentials", o.cors.credentials}};
    root["ssl"] = json::object{{"enabled", o.ssl.enabled},
                               {"cert_path", o.ssl.cert_path},
                               {"key_path", o.ssl.key_path},
                               {"passphrase", secret(o.ssl.passphrase)},
                               {"ca_path", optional_text(o.ssl.ca_path)},
                               {"redirect_http", o.ssl.redirect_http},
                               {"http_port", o.ssl.http_port}};
}

void add_limit_sections(const LimitDefaults& l, json::object& root) {
    root["channel_limits"] = json::object{{"max_name_length", l.max_channel_name_length},
                                          {"cache_ttl", l.cache_ttl_seconds}};
    root["event_limits"] = json::object{{"max_channels_at_once", l.max_event_channels_at_once},
                                        {"max_name_length", l.max_event_name_length},
                                        {"max_payload_in_kb", l.max_event_payload_in_kb},
                                        {"max_batch_size", l.max_event_batch_size}};
    root["presence"] = json::object{{"max_members_per_channel", l.max_presence_members_per_channel},
                                    {"max_member_size_in_kb", l.max_presence_member_size_in_kb}};
}

void add_back_end_sections(const Options& o, json::object& root) {
    root["adapter"] = adapter_json(o);
    json::array apps;
    for (const auto& a : o.apps) apps.push_back(app_json(a));
    root["app_manager"] =
        json::object{{"driver", driver_name(o.app_manager_driver)},
                     {"cache", json::object{{"enabled", o.app_manager_cache_enabled},
                                            {"ttl", o.app_manager_cache_ttl_s}}},
                     {"array", json::object{{"apps", std::move(apps)}}}};
    json::object cache = driver_section(o, driver_name(o.cache_driver));
    cache["redis"] = with_redis_url(o, {{"prefix", o.cache_redis_prefix}});
    root["cache"] = std::move(cache);
    json::object queue = driver_section(o, driver_name(o.queue_driver));
    queue["redis"] = with_redis_url(o, {{"prefix", o.queue_redis_prefix}});
    root["queue"] = std::move(queue);
    const WebhookOptions& w = o.webhooks;
    root["webhooks"] =
        json::object{{"batching", json::object{{"enabled", w.batching_enabled},
                                               {"duration", w.batching_duration_ms},
                                               {"size", w.batching_size}}},
                     {"retry", json::object{{"enabled", w.retry_enabled},
                                            {"max_attempts", optional_value(w.retry_max_attempts)},
                                            {"max_elapsed_time_ms", w.retry_max_elapsed_time_ms},
                                            {"initial_backoff_ms", w.retry_initial_backoff_ms},
                                            {"max_backoff_ms", w.retry_max_backoff_ms}}},
                     {"request_timeout_ms", w.request_timeout_ms},
                     {"leave_delay_ms", w.leave_delay_ms}};
    const DatabaseOptions& d = o.database;
    root["database"] =
        json::object{{"redis", json::object{{"host", d.redis_host},
                                            {"port", d.redis_port},
                                            {"db", d.redis_db},
                                            {"username", optional_text(d.redis_username)},
                                            {"password", secret(d.redis_password)},
                                            {"key_prefix", d.redis_key_prefix}}},
                     {"mysql", sql_database_json(d.mysql)},
                     {"postgres", sql_database_json(d.postgres)},
                     {"sqlite", json::object{{"path", d.sqlite_path}}}};
}

json::object options_json(const Options& o) {
    json::object root = top_level_json(o);
    add_listener_sections(o, root);
    add_limit_sections(o.limits, root);
    add_back_end_sections(o, root);
    return root;
}

bool is_scalar(const json::value& v) {
    return !v.is_object() && !v.is_array();
}

// Objects one key per line; arrays of scalars on one line while they are short.
void pretty(const json::value& v, std::string& out, size_t indent) {
    const std::string pad(indent + 2, ' ');
    if (v.is_object()) {
        const json::object& o = v.get_object();
        if (o.empty()) {
            out += "{}";
            return;
        }
        out += "{\n";
        size_t i = 0;
        for (const auto& [k, item] : o) {
            out += pad + json::serialize(json::string(k)) + ": ";
            pretty(item, out, indent + 2);
            out += ++i < o.size() ? ",\n" : "\n";
        }
        out += std::string(indent, ' ') + "}";
        return;
    }
    if (v.is_array()) {
        const json::array& a = v.get_array();
        const std::string flat = json::serialize(a);
        if (a.empty() || (flat.size() <= 80 && std::all_of(a.begin(), a.end(), is_scalar))) {
            out += "[";
            for (size_t i = 0; i < a.size(); ++i) out += (i ? ", " : "") + json::serialize(a[i]);
            out += "]";
            return;
        }
        out += "[\n";
        for (size_t i = 0; i < a.size(); ++i) {
            out += pad;
            pretty(a[i], out, indent + 2);
            out += i + 1 < a.size() ? ",\n" : "\n";
        }
        out += std::string(indent, ' ') + "]";
        return;
    }
    out += json::serialize(v);
}

}  // namespace

json::object app_policy_json(const App& a) {
    const AppLimits& l = a.limits;
    json::array hooks;
    for (const auto& w : a.webhooks) hooks.push_back(webhook_json(w));
    return json::object{
        {"limits",
         json::object{
             {"max_connections", l.max_connections},
             {"max_client_events_per_second", l.max_client_events_per_second},
             {"max_backend_events_per_second", optional_value(l.max_backend_events_per_second)},
             {"max_read_requests_per_second", optional_value(l.max_read_requests_per_second)},
             {"max_presence_members_per_channel",
              optional_value(l.max_presence_members_per_channel)},
             {"max_presence_member_size_in_kb", optional_value(l.max_presence_member_size_in_kb)},
             {"max_channel_name_length", optional_value(l.max_channel_name_length)},
             {"max_event_channels_at_once", optional_value(l.max_event_channels_at_once)},
             {"max_event_name_length", optional_value(l.max_event_name_length)},
             {"max_event_payload_in_kb", optional_value(l.max_event_payload_in_kb)},
             {"max_event_batch_size", optional_value(l.max_event_batch_size)},
             {"decay_seconds", optional_value(l.decay_seconds)},
             {"terminate_on_limit", l.terminate_on_limit}}},
        {"features", json::object{{"enable_client_messages", a.enable_client_messages},
                                  {"enable_user_authentication", a.enable_user_authentication},
                                  {"enable_watchlist_events", a.enable_watchlist_events},
                                  {"enable_subscription_count", a.enable_subscription_count},
                                  {"ssl_only", a.ssl_only}}},
        {"channels", json::object{{"allowed_origins", strings(a.allowed_origins)}}},
        {"webhooks", hooks}};
}

std::string print_options(const Options& options) {
    std::string out;
    pretty(options_json(options), out, 0);
    return out;
}

}  // namespace sockudo::config
