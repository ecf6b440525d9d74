#pragma once
// The server's effective configuration (operations.md §1): compiled defaults, then a config file
// (JSON or TOML, Sockudo key names), then environment overrides. Produced by load_options().

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/app.hpp"

namespace sockudo::config {

enum class AdapterDriver { Local, Redis, RedisCluster, Nats };
enum class AppManagerDriver { Memory, Sqlite, Postgres, Mysql };
enum class CacheDriver { Memory, Redis, RedisCluster, None };
enum class QueueDriver { Memory, Redis, RedisCluster, None };
enum class RateLimiterDriver { Memory, Redis, RedisCluster, None };

struct RateLimit {
    int64_t max_requests = 0;
    int64_t window_seconds = 60;
    int64_t trust_hops = 0;
};

struct RateLimiterOptions {
    bool enabled = true;
    RateLimiterDriver driver = RateLimiterDriver::Memory;
    RateLimit api{100, 60, 0};
    RateLimit websocket{20, 60, 0};
    std::string redis_prefix = "sockudo_rl:";
    // Enforce the apps' max_backend_events_per_second / max_read_requests_per_second (Soketi
    // semantics). Off by default because Sockudo stores but does not enforce them.
    bool enforce_app_limits = false;
};

struct MetricsOptions {
    bool enabled = true;
    std::string host = "0.0.0.0";
    uint16_t port = 9601;
    std::string prefix = "sockudo_";
};

struct SslOptions {
    bool enabled = false;
    std::string cert_path;
    std::string key_path;
    std::optional<std::string> passphrase;
    std::optional<std::string> ca_path;
    bool redirect_http = false;
    uint16_t http_port = 80;
};

struct CorsOptions {
    std::vector<std::string> origin{"*"};
    std::vector<std::string> methods{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    std::vector<std::string> allowed_headers{
        "Authorization",   "Content-Type",   "X-Requested-With", "Accept",
        "X-Ably-ClientId", "X-Ably-Version", "X-Ably-Lib",       "X-Ably-DeviceToken",
        "Ably-Agent",      "Ably-Version",   "Ably-ClientId",    "X-Idempotency-Key"};
    bool credentials = true;
};

struct HttpApiOptions {
    int64_t request_limit_in_mb = 10;
    bool usage_enabled = true;
};

// Server-wide defaults for per-app limits (channel_limits, event_limits, presence sections).
struct LimitDefaults {
    int64_t max_channel_name_length = 200;
    int64_t cache_ttl_seconds = 3600;
    int64_t max_event_channels_at_once = 100;
    int64_t max_event_name_length = 200;
    int64_t max_event_payload_in_kb = 100;
    int64_t max_event_batch_size = 10;
    int64_t max_presence_members_per_channel = 100;
    int64_t max_presence_member_size_in_kb = 2;
};

struct AdapterOptions {
    AdapterDriver driver = AdapterDriver::Local;
    bool fallback_to_local = true;
    std::string redis_prefix = "sockudo_adapter:";
    int64_t redis_requests_timeout_ms = 5000;
    std::vector<std::string> nats_servers{"nats://localhost:4222"};
    std::string nats_prefix = "sockudo_adapter:";
    int64_t nats_request_timeout_ms = 5000;
    int64_t nats_connection_timeout_ms = 5000;
    std::optional<std::string> nats_username;
    std::optional<std::string> nats_password;
    std::optional<std::string> nats_token;
    // adapter.cluster_health (also the top-level cluster_health section and CLUSTER_HEALTH_*,
    // which Sockudo reads but never applies to the adapter).
    bool cluster_health_enabled = true;
    int64_t heartbeat_interval_ms = 10000;
    int64_t node_timeout_ms = 30000;
    int64_t cleanup_interval_ms = 10000;
};

// One SQL app store connection: database.mysql / database.postgres (operations.md §1.4.13).
struct SqlDatabaseOptions {
    std::string host = "localhost";
    uint16_t port = 3306;
    std::string username = "root";
    std::optional<std::string> password;
    std::string database = "sockudo";
    std::string table_name = "applications";
    // Database threads of the app store, one connection each (DATABASE_CONNECTION_POOL_SIZE).
    int64_t connection_pool_size = 10;
};

struct DatabaseOptions {
    // Redis connection used when no REDIS_URL override is given.
    std::string redis_host = "127.0.0.1";
    uint16_t redis_port = 6379;
    int64_t redis_db = 0;
    std::optional<std::string> redis_username;
    std::optional<std::string> redis_password;
    std::string redis_key_prefix = "sockudo:";
    // REDIS_URL, or {cache,queue,rate_limiter}.redis.url_override in a file.
    std::optional<std::string> redis_url_override;
    SqlDatabaseOptions mysql;
    // Sockudo copies the MySQL defaults (3306/root), which cannot reach a stock PostgreSQL.
    SqlDatabaseOptions postgres = [] {
        SqlDatabaseOptions s;
        s.port = 5432;
        s.username = "postgres";
        return s;
    }();
    // The embedded app store's file (ours: database.sqlite.path).
    std::string sqlite_path = "sockudo.db";
};

struct WebhookOptions {
    bool batching_enabled = true;
    int64_t batching_duration_ms = 50;
    int64_t batching_size = 100;
    bool retry_enabled = true;
    std::optional<int64_t> retry_max_attempts;
    int64_t retry_max_elapsed_time_ms = 300000;
    int64_t retry_initial_backoff_ms = 1000;
    int64_t retry_max_backoff_ms = 60000;
    int64_t request_timeout_ms = 10000;
    // How long channel_vacated / member_removed wait for the channel or member to come back
    // (protocol-v1 §12.4); 0 reports them at once. Not a Sockudo key: ours.
    int64_t leave_delay_ms = 3000;
};

struct LoggingOptions {
    bool json = false;  // LOG_OUTPUT_FORMAT=json
    bool colors_enabled = true;
    bool include_target = true;
    // trace|debug|info|warn|error|off: RUST_LOG, else logging.level, else SOCKUDO_LOG_DEBUG /
    // SOCKUDO_LOG_PROD, else debug or info following `debug`.
    std::string level = "info";
};

struct Options {
    // Top level (operations.md §1.3)
    std::string host = "0.0.0.0";
    uint16_t port = 6001;
    std::string path_prefix = "/";
    bool debug = false;
    std::string mode = "production";
    int64_t max_connections = 0;  // node-wide, 0 = unlimited
    int64_t shutdown_grace_period_s = 10;
    int64_t activity_timeout_s = 120;
    int64_t user_authentication_timeout_s = 3600;
    int64_t websocket_max_payload_kb = 64;
    // Wait for any frame after the server's pusher:ping before closing with 4201 (env
    // PONG_TIMEOUT_MS; Pusher recommends 30 s).
    int64_t pong_timeout_ms = 30000;
    int64_t health_check_timeout_ms = 2000;
    std::string instance_process_id;  // random UUIDv4 when unset

    // Worker threads for the event loops; 0 = one per CPU the process may use (its affinity
    // mask). (Env SOCKUDO_WORKERS.)
    int64_t workers = 0;
    // A flush to many sockets (a fanout) is one system call through io_uring where the kernel
    // offers it; false: one write per socket. (Env SOCKUDO_BATCHED_WRITES.)
    bool batched_writes = true;
    // Worker i runs only on the i-th CPU the process may use (round robin when there are more
    // workers than CPUs). For a machine dedicated to the server. (Env SOCKUDO_WORKER_CPU_AFFINITY.)
    bool worker_cpu_affinity = false;
    // Per-connection outbound byte cap before a slow consumer is closed with 4100.
    int64_t max_backpressure_bytes = 1024 * 1024;

    HttpApiOptions http_api;
    MetricsOptions metrics;
    RateLimiterOptions rate_limiter;
    CorsOptions cors;
    SslOptions ssl;
    LimitDefaults limits;
    AdapterOptions adapter;
    AppManagerDriver app_manager_driver = AppManagerDriver::Memory;
    bool app_manager_cache_enabled = true;
    int64_t app_manager_cache_ttl_s = 300;
    CacheDriver cache_driver = CacheDriver::Memory;
    QueueDriver queue_driver = QueueDriver::Memory;
    // Key prefix of the shared webhook job list with queue.driver=redis (QUEUE_REDIS_PREFIX).
    std::string queue_redis_prefix = "sockudo_queue:";
    // Key prefix of cache-channel entries with cache.driver=redis: keys are "{prefix}:app:…".
    std::string cache_redis_prefix = "sockudo_cache:";
    DatabaseOptions database;
    WebhookOptions webhooks;
    LoggingOptions logging;

    // Apps from app_manager.array.apps and/or the env default app (§1.6).
    std::vector<App> apps;

    // Where the configuration came from, for the start-up log ("defaults" or a path).
    std::string source = "defaults";
    // Non-fatal findings (unknown keys, ignored env values) to log once logging is up.
    std::vector<std::string> warnings;
};

}  // namespace sockudo::config
