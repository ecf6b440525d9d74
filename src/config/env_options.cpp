#include "config/env_options.hpp"

#include "config/drivers.hpp"
#include "config/env_values.hpp"
#include "config/log_level.hpp"
#include "config/origin_pattern.hpp"

namespace sockudo::config {

namespace {

// Variables Sockudo reads for features this server does not have. Setting one is not an
// error, but the operator should know it changes nothing here.
constexpr const char* kUnsupportedEnv[] = {"SOCKUDO_SERVER_ROLE",
                                           "UNIX_SOCKET_ENABLED",
                                           "UNIX_SOCKET_PATH",
                                           "UNIX_SOCKET_PERMISSION_MODE",
                                           "METRICS_TCP_EXPORTER_ENABLED",
                                           "ADAPTER_BUFFER_MULTIPLIER_PER_CPU",
                                           "ADAPTER_ENABLE_SOCKET_COUNTING",
                                           "ADAPTER_AGGREGATE_COUNTS",
                                           "ADAPTER_FAST_PRESENCE_TRANSITIONS",
                                           "REDIS_CLUSTER_NODES",
                                           "DATABASE_REDIS_CLUSTER_NODES",
                                           "CACHE_CLEANUP_INTERVAL",
                                           "CACHE_MAX_CAPACITY",
                                           "PRESENCE_UPDATE_RATE_LIMIT_PER_MEMBER_PER_SECOND",
                                           "PRESENCE_UNGRACEFUL_TIMEOUT_SECONDS",
                                           "PRESENCE_V2_UNGRACEFUL_TIMEOUT_SECONDS",
                                           "DATABASE_POOLING_ENABLED",
                                           "CLEANUP_ASYNC_ENABLED",
                                           "WEBSOCKET_MAX_MESSAGES",
                                           "WEBSOCKET_MAX_BYTES",
                                           "WEBSOCKET_COMPRESSION",
                                           "WEBSOCKET_AUTO_PING",
                                           "WEBSOCKET_PING_INTERVAL",
                                           "WEBSOCKET_IDLE_TIMEOUT",
                                           "CONNECTION_RECOVERY_ENABLED",
                                           "HISTORY_ENABLED",
                                           "PRESENCE_HISTORY_ENABLED",
                                           "IDEMPOTENCY_ENABLED",
                                           "VERSIONED_MESSAGES_ENABLED",
                                           "ANNOTATIONS_ENABLED",
                                           "TAG_FILTERING_ENABLED",
                                           "EPHEMERAL_ENABLED",
                                           "AI_TRANSPORT_ENABLED",
                                           "SOCKUDO_ABLY_COMPAT_ENABLED",
                                           "PUSH_ENABLED",
                                           "SOCKUDO_DEFAULT_APP_ANNOTATIONS_ENABLED"};

class EnvReader {
public:
    EnvReader(const EnvLookup& env, Options& o, Provenance& from) : env_(env), o_(o), from_(from) {}

    std::optional<std::string> get(const char* name) const { return env_(name); }
    void note(const std::string& key, const char* name) { from_[key] = name; }

    // Sockudo's numbers from the environment are unsigned; anything else is ignored.
    void number(const char* name, const char* key, int64_t& out) {
        auto v = get(name);
        if (!v) return;
        auto n = parse_env_integer(*v);
        if (!n || *n < 0) return ignored(name, *v, "a non-negative integer");
        out = *n;
        note(key, name);
    }
    void port(const char* name, const char* key, uint16_t& out, bool allow_zero) {
        auto v = get(name);
        if (!v) return;
        auto n = parse_env_integer(*v);
        if (!n || *n < (allow_zero ? 0 : 1) || *n > 65535)
            return ignored(name, *v, "a port number");
        out = static_cast<uint16_t>(*n);
        note(key, name);
    }
    void boolean(const char* name, const char* key, bool& out) {
        auto v = get(name);
        if (!v) return;
        auto b = parse_env_bool(*v);
        if (!b) return ignored(name, *v, "a boolean (true/false, 1/0, yes/no, on/off)");
        out = *b;
        note(key, name);
    }
    void text(const char* name, const char* key, std::string& out) {
        if (auto v = get(name)) {
            out = *v;
            note(key, name);
        }
    }
    void optional_text(const char* name, const char* key, std::optional<std::string>& out,
                       bool empty_is_unset) {
        if (auto v = get(name)) {
            out = empty_is_unset && v->empty() ? std::nullopt : std::optional<std::string>(*v);
            note(key, name);
        }
    }
    void list(const char* name, const char* key, std::vector<std::string>& out) {
        if (auto v = get(name)) {
            out = split_env_list(*v);
            note(key, name);
        }
    }
    // Origin patterns; an invalid one is dropped with a warning (§1.4.4).
    void origins(const char* name, const char* key, std::vector<std::string>& out) {
        auto v = get(name);
        if (!v) return;
        out.clear();
        for (auto& item : split_env_list(*v)) {
            if (auto err = origin_pattern_error(item)) {
                o_.warnings.push_back(std::string(name) + ": invalid origin pattern " +
                                      quote_env_value(item) + " ignored (" + *err + ")");
                continue;
            }
            out.push_back(item);
        }
        note(key, name);
    }
    template <typename Driver, typename Parse>
    void driver(const char* name, const char* key, Driver& out, Parse parse) {
        if (auto v = get(name)) {
            out = parse(*v, name);
            note(key, name);
        }
    }

private:
    void ignored(const char* name, const std::string& value, const char* want) {
        o_.warnings.push_back(std::string(name) + "=" + quote_env_value(value) + " is not " + want +
                              "; ignored");
    }

    const EnvLookup& env_;
    Options& o_;
    Provenance& from_;
};

void apply_process(EnvReader& r, Options& o) {
    r.text("HOST", "host", o.host);
    r.port("PORT", "port", o.port, true);
    // DEBUG can only switch debug on (Sockudo); DEBUG_MODE sets it either way.
    if (auto v = r.get("DEBUG")) {
        if (auto b = parse_env_bool(*v)) {
            if (*b) o.debug = true;
        } else {
            o.warnings.push_back("DEBUG=" + quote_env_value(*v) + " is not a boolean; ignored");
        }
    }
    r.boolean("DEBUG_MODE", "debug", o.debug);
    r.text("ENVIRONMENT", "mode", o.mode);
    r.number("ACTIVITY_TIMEOUT", "activity_timeout", o.activity_timeout_s);
    r.number("SHUTDOWN_GRACE_PERIOD", "shutdown_grace_period", o.shutdown_grace_period_s);
    r.number("USER_AUTHENTICATION_TIMEOUT", "user_authentication_timeout",
             o.user_authentication_timeout_s);
    r.number("WEBSOCKET_MAX_PAYLOAD_KB", "websocket_max_payload_kb", o.websocket_max_payload_kb);
    r.number("SOCKUDO_MAX_CONNECTIONS", "max_connections", o.max_connections);
    r.number("HEALTH_CHECK_TIMEOUT_MS", "health_check_timeout_ms", o.health_check_timeout_ms);
    r.boolean("HTTP_API_USAGE_ENABLED", "http_api.usage_enabled", o.http_api.usage_enabled);
    r.text("INSTANCE_PROCESS_ID", "instance.process_id", o.instance_process_id);
    r.number("SOCKUDO_WORKERS", "workers", o.workers);
    r.boolean("SOCKUDO_BATCHED_WRITES", "batched_writes", o.batched_writes);
    r.boolean("SOCKUDO_WORKER_CPU_AFFINITY", "worker_cpu_affinity", o.worker_cpu_affinity);
    r.number("PONG_TIMEOUT_MS", "pong_timeout_ms", o.pong_timeout_ms);
    r.number("WEBSOCKET_MAX_BACKPRESSURE", "websocket.max_backpressure", o.max_backpressure_bytes);
}

void apply_drivers(EnvReader& r, Options& o) {
    r.driver("ADAPTER_DRIVER", "adapter.driver", o.adapter.driver, parse_adapter_driver);
    r.driver("APP_MANAGER_DRIVER", "app_manager.driver", o.app_manager_driver,
             parse_app_manager_driver);
    r.driver("CACHE_DRIVER", "cache.driver", o.cache_driver, parse_cache_driver);
    r.driver("QUEUE_DRIVER", "queue.driver", o.queue_driver, parse_queue_driver);
    r.text("QUEUE_REDIS_PREFIX", "queue.redis.prefix", o.queue_redis_prefix);
    r.text("CACHE_REDIS_PREFIX", "cache.redis.prefix", o.cache_redis_prefix);
    r.driver("RATE_LIMITER_DRIVER", "rate_limiter.driver", o.rate_limiter.driver,
             parse_rate_limiter_driver);
    if (auto v = r.get("METRICS_DRIVER")) check_metrics_driver(*v, "METRICS_DRIVER");
    r.boolean("ADAPTER_FALLBACK_TO_LOCAL", "adapter.fallback_to_local",
              o.adapter.fallback_to_local);
}

void apply_sql_database(EnvReader& r, const std::string& env, const std::string& key,
                        SqlDatabaseOptions& out) {
    auto name = [&](const char* suffix) { return env + suffix; };
    auto path = [&](const char* suffix) { return key + suffix; };
    r.text(name("HOST").c_str(), path("host").c_str(), out.host);
    r.port(name("PORT").c_str(), path("port").c_str(), out.port, false);
    r.text(name("USERNAME").c_str(), path("username").c_str(), out.username);
    r.optional_text(name("PASSWORD").c_str(), path("password").c_str(), out.password, true);
    r.text(name("DATABASE").c_str(), path("database").c_str(), out.database);
    // Sockudo has no table-name variable for PostgreSQL; accepting it for both is harmless.
    r.text(name("TABLE_NAME").c_str(), path("table_name").c_str(), out.table_name);
    r.number("DATABASE_CONNECTION_POOL_SIZE", path("connection_pool_size").c_str(),
             out.connection_pool_size);
}

void apply_connections(EnvReader& r, Options& o) {
    if (auto v = r.get("REDIS_URL"); v && !v->empty()) {
        o.database.redis_url_override = *v;
        r.note("database.redis.url", "REDIS_URL");
    }
    r.text("DATABASE_REDIS_HOST", "database.redis.host", o.database.redis_host);
    r.port("DATABASE_REDIS_PORT", "database.redis.port", o.database.redis_port, false);
    r.number("DATABASE_REDIS_DB", "database.redis.db", o.database.redis_db);
    r.optional_text("DATABASE_REDIS_USERNAME", "database.redis.username", o.database.redis_username,
                    true);
    r.optional_text("DATABASE_REDIS_PASSWORD", "database.redis.password", o.database.redis_password,
                    false);
    r.text("DATABASE_REDIS_KEY_PREFIX", "database.redis.key_prefix", o.database.redis_key_prefix);
    apply_sql_database(r, "DATABASE_MYSQL_", "database.mysql.", o.database.mysql);
    apply_sql_database(r, "DATABASE_POSTGRES_", "database.postgres.", o.database.postgres);
    r.text("DATABASE_SQLITE_PATH", "database.sqlite.path", o.database.sqlite_path);
    r.list("NATS_SERVERS", "adapter.nats.servers", o.adapter.nats_servers);
    r.text("NATS_PREFIX", "adapter.nats.prefix", o.adapter.nats_prefix);
    r.number("NATS_REQUEST_TIMEOUT_MS", "adapter.nats.request_timeout_ms",
             o.adapter.nats_request_timeout_ms);
    r.number("NATS_CONNECTION_TIMEOUT_MS", "adapter.nats.connection_timeout_ms",
             o.adapter.nats_connection_timeout_ms);
    r.optional_text("NATS_USERNAME", "adapter.nats.username", o.adapter.nats_username, true);
    r.optional_text("NATS_PASSWORD", "adapter.nats.password", o.adapter.nats_password, true);
    r.optional_text("NATS_TOKEN", "adapter.nats.token", o.adapter.nats_token, true);
    // Sockudo writes these to a copy the adapter never reads; here they reach the adapter.
    r.boolean("CLUSTER_HEALTH_ENABLED", "adapter.cluster_health.enabled",
              o.adapter.cluster_health_enabled);
    r.number("CLUSTER_HEALTH_HEARTBEAT_INTERVAL", "adapter.cluster_health.heartbeat_interval_ms",
             o.adapter.heartbeat_interval_ms);
    r.number("CLUSTER_HEALTH_NODE_TIMEOUT", "adapter.cluster_health.node_timeout_ms",
             o.adapter.node_timeout_ms);
    r.number("CLUSTER_HEALTH_CLEANUP_INTERVAL", "adapter.cluster_health.cleanup_interval_ms",
             o.adapter.cleanup_interval_ms);
}

void apply_runtime(EnvReader& r, Options& o) {
    r.boolean("SSL_ENABLED", "ssl.enabled", o.ssl.enabled);
    r.text("SSL_CERT_PATH", "ssl.cert_path", o.ssl.cert_path);
    r.text("SSL_KEY_PATH", "ssl.key_path", o.ssl.key_path);
    r.boolean("SSL_REDIRECT_HTTP", "ssl.redirect_http", o.ssl.redirect_http);
    r.port("SSL_HTTP_PORT", "ssl.http_port", o.ssl.http_port, true);
    r.origins("CORS_ORIGINS", "cors.origin", o.cors.origin);
    r.list("CORS_METHODS", "cors.methods", o.cors.methods);
    r.list("CORS_HEADERS", "cors.allowed_headers", o.cors.allowed_headers);
    r.boolean("CORS_CREDENTIALS", "cors.credentials", o.cors.credentials);
    r.boolean("METRICS_ENABLED", "metrics.enabled", o.metrics.enabled);
    r.text("METRICS_HOST", "metrics.host", o.metrics.host);
    r.port("METRICS_PORT", "metrics.port", o.metrics.port, true);
    r.text("METRICS_PROMETHEUS_PREFIX", "metrics.prometheus.prefix", o.metrics.prefix);
    r.boolean("RATE_LIMITER_ENABLED", "rate_limiter.enabled", o.rate_limiter.enabled);
    r.number("RATE_LIMITER_API_MAX_REQUESTS", "rate_limiter.api_rate_limit.max_requests",
             o.rate_limiter.api.max_requests);
    r.number("RATE_LIMITER_API_WINDOW_SECONDS", "rate_limiter.api_rate_limit.window_seconds",
             o.rate_limiter.api.window_seconds);
    r.number("RATE_LIMITER_API_TRUST_HOPS", "rate_limiter.api_rate_limit.trust_hops",
             o.rate_limiter.api.trust_hops);
    r.number("RATE_LIMITER_WS_MAX_REQUESTS", "rate_limiter.websocket_rate_limit.max_requests",
             o.rate_limiter.websocket.max_requests);
    r.number("RATE_LIMITER_WS_WINDOW_SECONDS", "rate_limiter.websocket_rate_limit.window_seconds",
             o.rate_limiter.websocket.window_seconds);
    r.number("RATE_LIMITER_WS_TRUST_HOPS", "rate_limiter.websocket_rate_limit.trust_hops",
             o.rate_limiter.websocket.trust_hops);
    r.text("RATE_LIMITER_REDIS_PREFIX", "rate_limiter.redis.prefix", o.rate_limiter.redis_prefix);
    r.boolean("RATE_LIMITER_ENFORCE_APP_LIMITS", "rate_limiter.enforce_app_limits",
              o.rate_limiter.enforce_app_limits);
}

void apply_webhooks_and_caches(EnvReader& r, Options& o) {
    r.boolean("WEBHOOK_BATCHING_ENABLED", "webhooks.batching.enabled", o.webhooks.batching_enabled);
    r.number("WEBHOOK_BATCHING_DURATION", "webhooks.batching.duration",
             o.webhooks.batching_duration_ms);
    r.number("WEBHOOK_BATCHING_SIZE", "webhooks.batching.size", o.webhooks.batching_size);
    r.number("WEBHOOK_LEAVE_DELAY_MS", "webhooks.leave_delay_ms", o.webhooks.leave_delay_ms);
    // CACHE_TTL_SECONDS fans out to every TTL Sockudo derives from it that exists here.
    int64_t ttl = -1;
    r.number("CACHE_TTL_SECONDS", "channel_limits.cache_ttl", ttl);
    if (ttl >= 0) {
        o.limits.cache_ttl_seconds = ttl;
        o.app_manager_cache_ttl_s = ttl;
        r.note("app_manager.cache.ttl", "CACHE_TTL_SECONDS");
    }
}

void apply_logging(EnvReader& r, Options& o) {
    // Sockudo switches to JSON only for the exact lowercase value.
    if (auto v = r.get("LOG_OUTPUT_FORMAT")) o.logging.json = *v == "json";
    r.boolean("LOG_COLORS_ENABLED", "logging.colors_enabled", o.logging.colors_enabled);
    r.boolean("LOG_INCLUDE_TARGET", "logging.include_target", o.logging.include_target);
}

}  // namespace

void apply_env(const EnvLookup& env, Options& o, Provenance& from_env) {
    EnvReader r(env, o, from_env);
    apply_process(r, o);
    apply_drivers(r, o);
    apply_connections(r, o);
    apply_runtime(r, o);
    apply_webhooks_and_caches(r, o);
    apply_default_app_env(env, o);
    apply_logging(r, o);
    for (const char* name : kUnsupportedEnv) {
        if (env(name))
            o.warnings.push_back(std::string("environment variable ") + name +
                                 " is not supported by this server (ignored)");
    }
}

void resolve_log_level(const EnvLookup& env, Options& o, bool level_from_file) {
    if (auto v = env("RUST_LOG"); v && !v->empty()) {
        if (auto level = level_from_directives(*v)) {
            o.logging.level = *level;
            return;
        }
        o.warnings.push_back("RUST_LOG=" + quote_env_value(*v) +
                             " names no level this server understands "
                             "(trace, debug, info, warn, error, off); ignored");
    }
    if (level_from_file) return;
    const char* name = o.debug ? "SOCKUDO_LOG_DEBUG" : "SOCKUDO_LOG_PROD";
    if (auto v = env(name); v && !v->empty()) {
        if (auto level = level_from_directives(*v)) {
            o.logging.level = *level;
            return;
        }
        o.warnings.push_back(std::string(name) + "=" + quote_env_value(*v) +
                             " names no known level; ignored");
    }
    o.logging.level = o.debug ? "debug" : "info";
}

}  // namespace sockudo::config
