#include "config/env_options.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "config/drivers.hpp"
#include "config/load.hpp"
#include "config/origin_pattern.hpp"

namespace sockudo::config {

namespace {

std::optional<bool> parse_bool(const std::string& v) {
    std::string s;
    for (char c : v) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "0" || s == "no" || s == "off") return false;
    return std::nullopt;
}

std::vector<std::string> split_list(const std::string& v) {
    std::vector<std::string> out;
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ',')) {
        const size_t b = item.find_first_not_of(" \t");
        if (b == std::string::npos) continue;
        const size_t e = item.find_last_not_of(" \t");
        out.push_back(item.substr(b, e - b + 1));
    }
    return out;
}

struct EnvReader {
    const EnvLookup& env;
    Options& o;

    void integer(const char* name, int64_t& out) {
        auto v = env(name);
        if (!v) return;
        char* end = nullptr;
        long long n = std::strtoll(v->c_str(), &end, 10);
        if (v->empty() || *end != '\0') {
            o.warnings.push_back(std::string(name) + "=" + *v + " is not a number; ignored");
            return;
        }
        out = n;
    }
    void port(const char* name, uint16_t& out) {
        int64_t n = out;
        integer(name, n);
        if (n >= 1 && n <= 65535) out = static_cast<uint16_t>(n);
        else o.warnings.push_back(std::string(name) + " is not a valid port; ignored");
    }
    void boolean(const char* name, bool& out) {
        auto v = env(name);
        if (!v) return;
        if (auto b = parse_bool(*v)) out = *b;
        else o.warnings.push_back(std::string(name) + "=" + *v + " is not a boolean; ignored");
    }
    void string(const char* name, std::string& out) {
        if (auto v = env(name)) out = *v;
    }
};

void apply_default_app_env(const EnvLookup& env, Options& o) {
    auto truthy = [&](const char* name) {
        auto v = env(name);
        return v && parse_bool(*v).value_or(false);
    };
    auto falsy = [&](const char* name) {
        auto v = env(name);
        return v && !parse_bool(*v).value_or(true);
    };
    if (truthy("SOCKUDO_SKIP_INLINE_APPS") || falsy("APP_MANAGER_REGISTER_INLINE_APPS")) o.apps.clear();
    auto id = env("SOCKUDO_DEFAULT_APP_ID");
    auto key = env("SOCKUDO_DEFAULT_APP_KEY");
    auto secret = env("SOCKUDO_DEFAULT_APP_SECRET");
    const bool any = id || key || secret;
    const bool disabled = falsy("SOCKUDO_DEFAULT_APP_ENABLED");
    if (any || disabled) o.apps.clear();
    if (!any || disabled) return;
    if (!(id && key && secret)) {
        throw ConfigError("SOCKUDO_DEFAULT_APP_ID, SOCKUDO_DEFAULT_APP_KEY and SOCKUDO_DEFAULT_APP_SECRET must be set together");
    }
    App app;
    app.id = *id;
    app.key = *key;
    app.secret = *secret;
    auto limit = [&](const char* name) -> int64_t {
        auto v = env(std::string("SOCKUDO_DEFAULT_APP_") + name);
        if (!v) return 100;
        char* end = nullptr;
        long long n = std::strtoll(v->c_str(), &end, 10);
        if (v->empty() || *end != '\0') return 100;
        return n < 0 ? AppLimits::kUnlimited : n;
    };
    app.limits.max_connections = std::max<int64_t>(0, limit("MAX_CONNECTIONS"));
    app.limits.max_client_events_per_second = std::max<int64_t>(0, limit("MAX_CLIENT_EVENTS_PER_SECOND"));
    app.limits.max_backend_events_per_second = limit("MAX_BACKEND_EVENTS_PER_SECOND");
    app.limits.max_read_requests_per_second = limit("MAX_READ_REQUESTS_PER_SECOND");
    app.limits.max_presence_members_per_channel = limit("MAX_PRESENCE_MEMBERS_PER_CHANNEL");
    app.limits.max_presence_member_size_in_kb = limit("MAX_PRESENCE_MEMBER_SIZE_IN_KB");
    app.limits.max_channel_name_length = limit("MAX_CHANNEL_NAME_LENGTH");
    app.limits.max_event_channels_at_once = limit("MAX_EVENT_CHANNELS_AT_ONCE");
    app.limits.max_event_name_length = limit("MAX_EVENT_NAME_LENGTH");
    app.limits.max_event_payload_in_kb = limit("MAX_EVENT_PAYLOAD_IN_KB");
    app.limits.max_event_batch_size = limit("MAX_EVENT_BATCH_SIZE");
    if (auto v = env("SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES")) {
        app.enable_client_messages = parse_bool(*v).value_or(false);
    } else if (auto legacy = env("SOCKUDO_ENABLE_CLIENT_MESSAGES")) {
        app.enable_client_messages = parse_bool(*legacy).value_or(false);
    }
    app.enable_user_authentication = truthy("SOCKUDO_DEFAULT_APP_ENABLE_USER_AUTHENTICATION");
    app.enable_watchlist_events = truthy("SOCKUDO_DEFAULT_APP_ENABLE_WATCHLIST_EVENTS");
    if (auto v = env("SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS")) {
        std::stringstream ss(*v);
        std::string item;
        while (std::getline(ss, item, ',')) {
            size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
            if (b == std::string::npos) continue;
            item = item.substr(b, e - b + 1);
            if (origin_pattern_error(item)) {
                o.warnings.push_back("SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS: invalid pattern " + item + " ignored");
                continue;
            }
            app.allowed_origins.push_back(item);
        }
    }
    o.apps.push_back(std::move(app));
}

}  // namespace

void apply_env(const EnvLookup& env, Options& o) {
    EnvReader r{env, o};
    r.string("HOST", o.host);
    r.port("PORT", o.port);
    if (auto v = env("DEBUG"); v && parse_bool(*v).value_or(false)) o.debug = true;
    r.boolean("DEBUG_MODE", o.debug);
    r.string("ENVIRONMENT", o.mode);
    r.integer("ACTIVITY_TIMEOUT", o.activity_timeout_s);
    r.integer("SHUTDOWN_GRACE_PERIOD", o.shutdown_grace_period_s);
    r.integer("USER_AUTHENTICATION_TIMEOUT", o.user_authentication_timeout_s);
    r.integer("WEBSOCKET_MAX_PAYLOAD_KB", o.websocket_max_payload_kb);
    r.integer("SOCKUDO_MAX_CONNECTIONS", o.max_connections);
    r.integer("HEALTH_CHECK_TIMEOUT_MS", o.health_check_timeout_ms);
    r.boolean("HTTP_API_USAGE_ENABLED", o.http_api.usage_enabled);
    r.string("INSTANCE_PROCESS_ID", o.instance_process_id);
    r.integer("SOCKUDO_WORKERS", o.workers);
    r.integer("PONG_TIMEOUT_MS", o.pong_timeout_ms);
    r.integer("WEBSOCKET_MAX_BACKPRESSURE", o.max_backpressure_bytes);

    // Drivers (case-insensitive, every alias; an unknown name is fatal).
    if (auto v = env("ADAPTER_DRIVER")) o.adapter.driver = parse_adapter_driver(*v, "ADAPTER_DRIVER");
    if (auto v = env("APP_MANAGER_DRIVER")) o.app_manager_driver = parse_app_manager_driver(*v, "APP_MANAGER_DRIVER");
    if (auto v = env("CACHE_DRIVER")) o.cache_driver = parse_cache_driver(*v, "CACHE_DRIVER");
    if (auto v = env("QUEUE_DRIVER")) o.queue_driver = parse_queue_driver(*v, "QUEUE_DRIVER");
    if (auto v = env("RATE_LIMITER_DRIVER")) o.rate_limiter.driver = parse_rate_limiter_driver(*v, "RATE_LIMITER_DRIVER");
    if (auto v = env("METRICS_DRIVER")) check_metrics_driver(*v, "METRICS_DRIVER");
    r.boolean("ADAPTER_FALLBACK_TO_LOCAL", o.adapter.fallback_to_local);

    // Redis and NATS connections.
    if (auto v = env("REDIS_URL"); v && !v->empty()) o.database.redis_url_override = *v;
    r.string("DATABASE_REDIS_HOST", o.database.redis_host);
    r.port("DATABASE_REDIS_PORT", o.database.redis_port);
    r.integer("DATABASE_REDIS_DB", o.database.redis_db);
    if (auto v = env("DATABASE_REDIS_USERNAME")) {
        o.database.redis_username = v->empty() ? std::nullopt : std::optional<std::string>(*v);
    }
    if (auto v = env("DATABASE_REDIS_PASSWORD")) o.database.redis_password = *v;
    if (auto v = env("NATS_SERVERS")) o.adapter.nats_servers = split_list(*v);
    r.string("NATS_PREFIX", o.adapter.nats_prefix);
    r.integer("NATS_REQUEST_TIMEOUT_MS", o.adapter.nats_request_timeout_ms);
    r.integer("CLUSTER_HEALTH_HEARTBEAT_INTERVAL", o.adapter.heartbeat_interval_ms);
    r.integer("CLUSTER_HEALTH_NODE_TIMEOUT", o.adapter.node_timeout_ms);
    r.integer("CLUSTER_HEALTH_CLEANUP_INTERVAL", o.adapter.cleanup_interval_ms);

    // TLS, CORS, metrics, rate limits.
    r.boolean("SSL_ENABLED", o.ssl.enabled);
    r.string("SSL_CERT_PATH", o.ssl.cert_path);
    r.string("SSL_KEY_PATH", o.ssl.key_path);
    r.boolean("SSL_REDIRECT_HTTP", o.ssl.redirect_http);
    r.port("SSL_HTTP_PORT", o.ssl.http_port);
    if (auto v = env("CORS_ORIGINS")) {
        std::vector<std::string> origins;
        for (auto& item : split_list(*v)) {
            if (origin_pattern_error(item)) {
                o.warnings.push_back("CORS_ORIGINS: invalid pattern " + item + " ignored");
                continue;
            }
            origins.push_back(item);
        }
        o.cors.origin = std::move(origins);
    }
    if (auto v = env("CORS_METHODS")) o.cors.methods = split_list(*v);
    if (auto v = env("CORS_HEADERS")) o.cors.allowed_headers = split_list(*v);
    r.boolean("CORS_CREDENTIALS", o.cors.credentials);
    r.boolean("METRICS_ENABLED", o.metrics.enabled);
    r.string("METRICS_HOST", o.metrics.host);
    r.port("METRICS_PORT", o.metrics.port);
    r.string("METRICS_PROMETHEUS_PREFIX", o.metrics.prefix);
    r.boolean("RATE_LIMITER_ENABLED", o.rate_limiter.enabled);
    r.integer("RATE_LIMITER_API_MAX_REQUESTS", o.rate_limiter.api.max_requests);
    r.integer("RATE_LIMITER_API_WINDOW_SECONDS", o.rate_limiter.api.window_seconds);
    r.integer("RATE_LIMITER_API_TRUST_HOPS", o.rate_limiter.api.trust_hops);
    r.integer("RATE_LIMITER_WS_MAX_REQUESTS", o.rate_limiter.websocket.max_requests);
    r.integer("RATE_LIMITER_WS_WINDOW_SECONDS", o.rate_limiter.websocket.window_seconds);
    r.integer("RATE_LIMITER_WS_TRUST_HOPS", o.rate_limiter.websocket.trust_hops);
    r.string("RATE_LIMITER_REDIS_PREFIX", o.rate_limiter.redis_prefix);
    r.boolean("RATE_LIMITER_ENFORCE_APP_LIMITS", o.rate_limiter.enforce_app_limits);

    // Webhooks and caches.
    r.boolean("WEBHOOK_BATCHING_ENABLED", o.webhooks.batching_enabled);
    r.integer("WEBHOOK_BATCHING_DURATION", o.webhooks.batching_duration_ms);
    r.integer("WEBHOOK_BATCHING_SIZE", o.webhooks.batching_size);
    r.integer("WEBHOOK_LEAVE_DELAY_MS", o.webhooks.leave_delay_ms);
    if (auto v = env("CACHE_TTL_SECONDS")) {
        int64_t ttl = o.limits.cache_ttl_seconds;
        r.integer("CACHE_TTL_SECONDS", ttl);
        o.limits.cache_ttl_seconds = ttl;
        o.app_manager_cache_ttl_s = ttl;
    }

    // Logging.
    if (auto v = env("LOG_OUTPUT_FORMAT")) o.logging.json = *v == "json";
    r.boolean("LOG_COLORS_ENABLED", o.logging.colors_enabled);
    r.boolean("LOG_INCLUDE_TARGET", o.logging.include_target);
    apply_default_app_env(env, o);
}

}  // namespace sockudo::config
