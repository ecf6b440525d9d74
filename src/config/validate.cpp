#include "config/validate.hpp"

#include <unistd.h>

#include <cctype>
#include <filesystem>

#include "config/drivers.hpp"

namespace sockudo::config {

namespace {

// Upper bounds keep every later "* 1000" or "* 1024" far from overflow; they are far above any
// value that makes sense (about 31 years, or 1 GiB).
constexpr int64_t kMaxSeconds = 1'000'000'000;
constexpr int64_t kMaxMilliseconds = 1'000'000'000'000;
constexpr int64_t kMaxU32 = 4294967295LL;

class Checker {
public:
    Checker(Options& o, const Provenance& from) : o_(o), from_(from) {}

    [[noreturn]] void fail(const std::string& key, const std::string& value,
                           const std::string& expected) const {
        throw ConfigError("invalid value for " + key + source(key) + ": " + value + " (" +
                          expected + ")");
    }
    void range(const std::string& key, int64_t v, int64_t min, int64_t max) const {
        if (v < min) fail(key, std::to_string(v), "expected at least " + std::to_string(min));
        if (v > max) fail(key, std::to_string(v), "expected at most " + std::to_string(max));
    }
    void positive(const std::string& key, int64_t v) const { range(key, v, 1, kMaxU32); }
    // Checked without opening, so a path naming a FIFO cannot block start-up.
    void readable(const std::string& key, const std::string& path) const {
        std::error_code ec;
        if (::access(path.c_str(), R_OK) != 0 || std::filesystem::is_directory(path, ec)) {
            fail(key, "\"" + path + "\"", "the file cannot be read");
        }
    }
    std::string source(const std::string& key) const {
        auto it = from_.find(key);
        return it == from_.end() ? "" : " (set by " + it->second + ")";
    }
    void warn(std::string message) { o_.warnings.push_back(std::move(message)); }

private:
    Options& o_;
    const Provenance& from_;
};

void check_top_level(Checker& c, Options& o) {
    if (o.host.empty()) c.fail("host", "\"\"", "expected an address or host name to bind");
    if (o.path_prefix.empty() || o.path_prefix.front() != '/') {
        c.fail("path_prefix", "\"" + o.path_prefix + "\"", "expected a path starting with /");
    }
    // As for app limits, a negative connection cap reads as "no cap".
    if (o.max_connections < 0) o.max_connections = 0;
    c.range("max_connections", o.max_connections, 0, kMaxU32);
    c.range("activity_timeout", o.activity_timeout_s, 1, kMaxSeconds);
    c.range("user_authentication_timeout", o.user_authentication_timeout_s, 1, kMaxSeconds);
    c.range("shutdown_grace_period", o.shutdown_grace_period_s, 0, kMaxSeconds);
    c.range("websocket_max_payload_kb", o.websocket_max_payload_kb, 1, 1024 * 1024);
    c.range("health_check_timeout_ms", o.health_check_timeout_ms, 1, kMaxMilliseconds);
    c.range("workers", o.workers, 0, 4096);
    c.range("pong_timeout_ms", o.pong_timeout_ms, 1, kMaxMilliseconds);
    c.range("websocket.max_backpressure", o.max_backpressure_bytes, 1024, kMaxMilliseconds);
    c.range("http_api.request_limit_in_mb", o.http_api.request_limit_in_mb, 1, 4096);
}

bool valid_metric_prefix(const std::string& prefix) {
    for (size_t i = 0; i < prefix.size(); ++i) {
        const unsigned char ch = static_cast<unsigned char>(prefix[i]);
        if (!(std::isalpha(ch) || ch == '_' || ch == ':' || (i > 0 && std::isdigit(ch))))
            return false;
    }
    return true;
}

void check_listeners(Checker& c, const Options& o) {
    if (o.metrics.enabled) {
        if (o.metrics.host.empty()) c.fail("metrics.host", "\"\"", "expected an address to bind");
        if (o.metrics.port != 0 && o.metrics.port == o.port) {
            c.fail("metrics.port", std::to_string(o.metrics.port),
                   "the main listener already uses this port");
        }
    }
    if (!valid_metric_prefix(o.metrics.prefix)) {
        c.fail("metrics.prometheus.prefix", "\"" + o.metrics.prefix + "\"",
               "expected letters, digits, _ or : and not starting with a digit");
    }
    const SslOptions& s = o.ssl;
    if (s.enabled) {
        if (s.cert_path.empty())
            c.fail("ssl.cert_path", "\"\"", "required when ssl.enabled is true");
        if (s.key_path.empty()) c.fail("ssl.key_path", "\"\"", "required when ssl.enabled is true");
        c.readable("ssl.cert_path", s.cert_path);
        c.readable("ssl.key_path", s.key_path);
        if (s.redirect_http && s.http_port != 0 && s.http_port == o.port) {
            c.fail("ssl.http_port", std::to_string(s.http_port),
                   "the main listener already uses this port");
        }
    } else if (!s.cert_path.empty() && !s.key_path.empty()) {
        c.warn(
            "ssl.cert_path and ssl.key_path are set but ssl.enabled is false: serving plain HTTP");
    }
    const RateLimiterOptions& r = o.rate_limiter;
    for (auto [name, limit] : {std::pair{"rate_limiter.api_rate_limit", &r.api},
                               std::pair{"rate_limiter.websocket_rate_limit", &r.websocket}}) {
        const std::string key(name);
        c.range(key + ".max_requests", limit->max_requests, 0, kMaxU32);
        c.range(key + ".window_seconds", limit->window_seconds, 1, kMaxSeconds);
        c.range(key + ".trust_hops", limit->trust_hops, 0, 64);
    }
}

void check_limits(const Checker& c, const LimitDefaults& l) {
    c.positive("channel_limits.max_name_length", l.max_channel_name_length);
    c.range("channel_limits.cache_ttl", l.cache_ttl_seconds, 1, kMaxSeconds);
    c.positive("event_limits.max_channels_at_once", l.max_event_channels_at_once);
    c.positive("event_limits.max_name_length", l.max_event_name_length);
    c.range("event_limits.max_payload_in_kb", l.max_event_payload_in_kb, 1, 1024 * 1024);
    c.positive("event_limits.max_batch_size", l.max_event_batch_size);
    c.positive("presence.max_members_per_channel", l.max_presence_members_per_channel);
    c.range("presence.max_member_size_in_kb", l.max_presence_member_size_in_kb, 1, 1024 * 1024);
}

void check_cluster(Checker& c, const Options& o) {
    const AdapterOptions& a = o.adapter;
    const std::string h = "adapter.cluster_health.";
    c.range(h + "heartbeat_interval_ms", a.heartbeat_interval_ms, 1, kMaxMilliseconds);
    c.range(h + "node_timeout_ms", a.node_timeout_ms, 1, kMaxMilliseconds);
    c.range(h + "cleanup_interval_ms", a.cleanup_interval_ms, 1, kMaxMilliseconds);
    // A node must miss several heartbeats before it is declared dead (§3.6).
    if (a.heartbeat_interval_ms > a.node_timeout_ms / 3) {
        c.fail(h + "heartbeat_interval_ms", std::to_string(a.heartbeat_interval_ms),
               "expected at most a third of node_timeout_ms (" + std::to_string(a.node_timeout_ms) +
                   ")");
    }
    if (a.cleanup_interval_ms > a.node_timeout_ms) {
        c.fail(h + "cleanup_interval_ms", std::to_string(a.cleanup_interval_ms),
               "expected at most node_timeout_ms (" + std::to_string(a.node_timeout_ms) + ")");
    }
    if (a.heartbeat_interval_ms < 1000) {
        c.warn(h +
               "heartbeat_interval_ms is below 1000 ms: heartbeats will be a noticeable share of "
               "cluster traffic");
    }
    c.range("adapter.redis.requests_timeout", a.redis_requests_timeout_ms, 1, kMaxMilliseconds);
    c.range("adapter.nats.request_timeout_ms", a.nats_request_timeout_ms, 1, kMaxMilliseconds);
    c.range("adapter.nats.connection_timeout_ms", a.nats_connection_timeout_ms, 1,
            kMaxMilliseconds);
    c.range("database.redis.db", o.database.redis_db, 0, kMaxU32);
    c.range("app_manager.cache.ttl", o.app_manager_cache_ttl_s, 0, kMaxSeconds);
    for (auto [key, sql] : {std::pair{"database.mysql.", &o.database.mysql},
                            std::pair{"database.postgres.", &o.database.postgres}}) {
        c.range(std::string(key) + "connection_pool_size", sql->connection_pool_size, 1, 64);
        if (sql->table_name.empty())
            c.fail(std::string(key) + "table_name", "\"\"", "a table name");
    }
    if (o.app_manager_driver == AppManagerDriver::Sqlite && o.database.sqlite_path.empty())
        c.fail("database.sqlite.path", "\"\"", "a file path");
}

void check_webhooks(const Checker& c, const WebhookOptions& w) {
    c.range("webhooks.batching.duration", w.batching_duration_ms, 1, kMaxMilliseconds);
    c.positive("webhooks.batching.size", w.batching_size);
    if (w.retry_max_attempts) c.positive("webhooks.retry.max_attempts", *w.retry_max_attempts);
    c.range("webhooks.retry.max_elapsed_time_ms", w.retry_max_elapsed_time_ms, 0, kMaxMilliseconds);
    c.range("webhooks.retry.initial_backoff_ms", w.retry_initial_backoff_ms, 0, kMaxMilliseconds);
    c.range("webhooks.retry.max_backoff_ms", w.retry_max_backoff_ms, w.retry_initial_backoff_ms,
            kMaxMilliseconds);
    c.range("webhooks.request_timeout_ms", w.request_timeout_ms, 1, kMaxMilliseconds);
    c.range("webhooks.leave_delay_ms", w.leave_delay_ms, 0, kMaxMilliseconds);
}

// Spelled right and understood, but the back-end is not part of this build yet.
void check_available(const Checker& c, const Options& o) {
    auto refuse = [&](const char* key, const char* name, const char* use) {
        throw ConfigError(std::string(key) + c.source(key) + ": \"" + name +
                          "\" is not available in this build (use " + use + ")");
    };
    if (o.adapter.driver == AdapterDriver::RedisCluster) {
        refuse("adapter.driver", driver_name(o.adapter.driver), "local, redis or nats");
    }
    if (o.cache_driver == CacheDriver::RedisCluster) {
        refuse("cache.driver", driver_name(o.cache_driver), "memory or redis");
    }
    if (o.queue_driver == QueueDriver::RedisCluster) {
        refuse("queue.driver", driver_name(o.queue_driver), "memory, redis or none");
    }
    const RateLimiterDriver r = o.rate_limiter.driver;
    if (r == RateLimiterDriver::RedisCluster) {
        refuse("rate_limiter.driver", driver_name(r), "memory, redis or none");
    }
}

void check_apps(Checker& c, const Options& o) {
    // With a database driver the apps live in the database.
    if (o.apps.empty() && o.app_manager_driver == AppManagerDriver::Memory) {
        c.warn(
            "no apps are configured: every WebSocket connection will be refused (4001) and /up "
            "answers 503");
    }
}

}  // namespace

void validate_options(Options& o, const Provenance& from_env) {
    Checker c(o, from_env);
    check_top_level(c, o);
    check_listeners(c, o);
    check_limits(c, o.limits);
    check_cluster(c, o);
    check_webhooks(c, o.webhooks);
    check_available(c, o);
    check_apps(c, o);
}

}  // namespace sockudo::config
