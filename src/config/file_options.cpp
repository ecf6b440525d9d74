#include "config/file_options.hpp"

#include <boost/json.hpp>

#include "config/app_record.hpp"
#include "config/drivers.hpp"
#include "config/load.hpp"
#include "config/log_level.hpp"

namespace sockudo::config {

namespace json = boost::json;

namespace {

template <typename Parse, typename Driver>
void read_driver(Section& s, Driver& out, Parse parse) {
    std::optional<std::string> name;
    s.read("driver", name);
    if (name) out = parse(*name, s.key("driver"));
}

// Sockudo keeps a url_override per Redis consumer; this server has one Redis connection
// setting, so the first one given is used and a different second one is reported.
void read_redis_url_override(Section& s, Options& o) {
    auto redis = s.section("redis");
    if (!redis) return;
    std::optional<std::string> url;
    redis->read("url_override", url);
    if (!url || url->empty()) return;
    if (o.database.redis_url_override && *o.database.redis_url_override != *url) {
        redis->tracker().warn(redis->key("url_override") +
                              " differs from an earlier url_override; this server uses "
                              "one Redis URL for every consumer, the first one given");
        return;
    }
    o.database.redis_url_override = *url;
}

void read_sql_database(Section& database, const char* name, SqlDatabaseOptions& out) {
    auto s = database.section(name);
    if (!s) return;
    s->read("host", out.host);
    s->read_port("port", out.port, false);
    s->read("username", out.username);
    s->read("password", out.password);
    s->read("database", out.database);
    s->read("table_name", out.table_name);
    s->read("connection_pool_size", out.connection_pool_size);
    // Sockudo's own lookup cache and pool bounds; the app manager's cache replaces them here.
    for (const char* k :
         {"pool_min", "pool_max", "cache_ttl", "cache_cleanup_interval", "cache_max_capacity"}) {
        s->skip(k);
    }
}

void read_top_level(Section& root, Options& o) {
    root.read("host", o.host);
    root.read_port("port", o.port, true);
    root.read("path_prefix", o.path_prefix);
    root.read("debug", o.debug);
    root.read("mode", o.mode);
    root.read("max_connections", o.max_connections);
    root.read("shutdown_grace_period", o.shutdown_grace_period_s);
    root.read("activity_timeout", o.activity_timeout_s);
    root.read("user_authentication_timeout", o.user_authentication_timeout_s);
    root.read("websocket_max_payload_kb", o.websocket_max_payload_kb);
    root.read("health_check_timeout_ms", o.health_check_timeout_ms);
    // This server's own keys (no Sockudo equivalent).
    root.read("workers", o.workers);
    root.read("batched_writes", o.batched_writes);
    root.read("worker_cpu_affinity", o.worker_cpu_affinity);
    root.read("pong_timeout_ms", o.pong_timeout_ms);
    if (auto s = root.section("instance")) s->read("process_id", o.instance_process_id);
    if (auto s = root.section("logging")) {
        s->read("colors_enabled", o.logging.colors_enabled);
        s->read("include_target", o.logging.include_target);
        if (const json::value* v = s->value("format")) {
            if (*v == "json")
                o.logging.json = true;
            else if (*v == "text")
                o.logging.json = false;
            else
                s->bad("format", *v, "\"text\" or \"json\"");
        }
        if (const json::value* v = s->value("level")) {
            const std::string level = v->is_string() ? std::string(v->get_string()) : "";
            if (!is_log_level(level))
                s->bad("level", *v, "one of trace, debug, info, warn, error, off");
            o.logging.level = level;
        }
    }
    if (auto s = root.section("websocket")) s->read("max_backpressure", o.max_backpressure_bytes);
}

void read_listener_sections(Section& root, Options& o) {
    if (auto s = root.section("http_api")) {
        s->read("request_limit_in_mb", o.http_api.request_limit_in_mb);
        s->read("usage_enabled", o.http_api.usage_enabled);
    }
    if (auto s = root.section("metrics")) {
        s->read("enabled", o.metrics.enabled);
        std::optional<std::string> driver;
        s->read("driver", driver);
        if (driver) check_metrics_driver(*driver, s->key("driver"));
        s->read("host", o.metrics.host);
        s->read_port("port", o.metrics.port, true);
        if (auto p = s->section("prometheus")) p->read("prefix", o.metrics.prefix);
    }
    if (auto s = root.section("cors")) {
        s->read_list("origin", o.cors.origin);
        check_origin_patterns(s->key("origin"), o.cors.origin);
        s->read_list("methods", o.cors.methods);
        s->read_list("allowed_headers", o.cors.allowed_headers);
        s->read("credentials", o.cors.credentials);
    }
    if (auto s = root.section("ssl")) {
        s->read("enabled", o.ssl.enabled);
        s->read("cert_path", o.ssl.cert_path);
        s->read("key_path", o.ssl.key_path);
        s->read("passphrase", o.ssl.passphrase);
        s->read("ca_path", o.ssl.ca_path);
        s->read("redirect_http", o.ssl.redirect_http);
        s->read_port("http_port", o.ssl.http_port, true);
    }
}

void read_rate_limiter(Section& root, Options& o) {
    auto s = root.section("rate_limiter");
    if (!s) return;
    s->read("enabled", o.rate_limiter.enabled);
    read_driver(*s, o.rate_limiter.driver, parse_rate_limiter_driver);
    for (auto [name, limit] : {std::pair{"api_rate_limit", &o.rate_limiter.api},
                               std::pair{"websocket_rate_limit", &o.rate_limiter.websocket}}) {
        if (auto l = s->section(name)) {
            l->read("max_requests", limit->max_requests);
            l->read("window_seconds", limit->window_seconds);
            l->read("trust_hops", limit->trust_hops);
            std::optional<std::string> identifier;
            l->read("identifier", identifier);  // informational in Sockudo as well
        }
    }
    if (auto r = s->section("redis")) {
        r->read("prefix", o.rate_limiter.redis_prefix);
    }
    read_redis_url_override(*s, o);
    s->read("enforce_app_limits", o.rate_limiter.enforce_app_limits);
}

void read_limits(Section& root, Options& o) {
    if (auto s = root.section("channel_limits")) {
        s->read("max_name_length", o.limits.max_channel_name_length);
        s->read("cache_ttl", o.limits.cache_ttl_seconds);
    }
    if (auto s = root.section("event_limits")) {
        s->read("max_channels_at_once", o.limits.max_event_channels_at_once);
        s->read("max_name_length", o.limits.max_event_name_length);
        s->read("max_payload_in_kb", o.limits.max_event_payload_in_kb);
        s->read("max_batch_size", o.limits.max_event_batch_size);
    }
    if (auto s = root.section("presence")) {
        s->read("max_members_per_channel", o.limits.max_presence_members_per_channel);
        s->read("max_member_size_in_kb", o.limits.max_presence_member_size_in_kb);
    }
}

void read_cluster_health(Section& s, AdapterOptions& a) {
    s.read("enabled", a.cluster_health_enabled);
    s.read("heartbeat_interval_ms", a.heartbeat_interval_ms);
    s.read("node_timeout_ms", a.node_timeout_ms);
    s.read("cleanup_interval_ms", a.cleanup_interval_ms);
}

void read_adapter(Section& root, Options& o) {
    // Sockudo has the same section twice and only the adapter's copy takes effect; here both
    // apply, the adapter's copy last.
    if (auto h = root.section("cluster_health")) read_cluster_health(*h, o.adapter);
    auto s = root.section("adapter");
    if (!s) return;
    read_driver(*s, o.adapter.driver, parse_adapter_driver);
    s->read("fallback_to_local", o.adapter.fallback_to_local);
    if (auto r = s->section("redis")) {
        r->read("prefix", o.adapter.redis_prefix);
        r->read("requests_timeout", o.adapter.redis_requests_timeout_ms);
    }
    if (auto n = s->section("nats")) {
        n->read_list("servers", o.adapter.nats_servers);
        n->read("prefix", o.adapter.nats_prefix);
        n->read("request_timeout_ms", o.adapter.nats_request_timeout_ms);
        n->read("connection_timeout_ms", o.adapter.nats_connection_timeout_ms);
        n->read("username", o.adapter.nats_username);
        n->read("password", o.adapter.nats_password);
        n->read("token", o.adapter.nats_token);
    }
    if (auto h = s->section("cluster_health")) read_cluster_health(*h, o.adapter);
}

void read_apps(Section& root, Options& o) {
    auto s = root.section("app_manager");
    if (!s) return;
    read_driver(*s, o.app_manager_driver, parse_app_manager_driver);
    if (auto c = s->section("cache")) {
        c->read("enabled", o.app_manager_cache_enabled);
        c->read("ttl", o.app_manager_cache_ttl_s);
    }
    auto array = s->section("array");
    if (!array) return;
    // Without an apps key the embedded default app stays; an empty list means no apps.
    if (!array->has("apps")) {
        array->skip("apps");
        return;
    }
    o.apps.clear();
    std::vector<std::string> paths;
    for (Section& app : array->objects("apps")) {
        App read = read_app(app);
        for (size_t i = 0; i < o.apps.size(); ++i) {
            if (o.apps[i].id == read.id) {
                throw ConfigError(app.path() + ": duplicate app id \"" + read.id + "\" (also " +
                                  paths[i] + ")");
            }
            if (o.apps[i].key == read.key) {
                throw ConfigError(app.path() + ": duplicate app key \"" + read.key + "\" (also " +
                                  paths[i] + ")");
            }
        }
        paths.push_back(app.path());
        o.apps.push_back(std::move(read));
    }
}

void read_back_ends(Section& root, Options& o) {
    if (auto s = root.section("cache")) {
        read_driver(*s, o.cache_driver, parse_cache_driver);
        read_redis_url_override(*s, o);
        if (auto r = s->section("redis")) r->read("prefix", o.cache_redis_prefix);
    }
    if (auto s = root.section("queue")) {
        read_driver(*s, o.queue_driver, parse_queue_driver);
        read_redis_url_override(*s, o);
        if (auto r = s->section("redis")) r->read("prefix", o.queue_redis_prefix);
    }
    if (auto s = root.section("webhooks")) {
        if (auto b = s->section("batching")) {
            b->read("enabled", o.webhooks.batching_enabled);
            b->read("duration", o.webhooks.batching_duration_ms);
            b->read("size", o.webhooks.batching_size);
        }
        if (auto r = s->section("retry")) {
            r->read("enabled", o.webhooks.retry_enabled);
            r->read("max_attempts", o.webhooks.retry_max_attempts);
            r->read("max_elapsed_time_ms", o.webhooks.retry_max_elapsed_time_ms);
            r->read("initial_backoff_ms", o.webhooks.retry_initial_backoff_ms);
            r->read("max_backoff_ms", o.webhooks.retry_max_backoff_ms);
        }
        s->read("request_timeout_ms", o.webhooks.request_timeout_ms);
        s->read("leave_delay_ms", o.webhooks.leave_delay_ms);
    }
    if (auto s = root.section("database")) {
        if (auto r = s->section("redis")) {
            r->read("host", o.database.redis_host);
            r->read_port("port", o.database.redis_port, false);
            r->read("db", o.database.redis_db);
            r->read("username", o.database.redis_username);
            r->read("password", o.database.redis_password);
            r->read("key_prefix", o.database.redis_key_prefix);
        }
        read_sql_database(*s, "mysql", o.database.mysql);
        read_sql_database(*s, "postgres", o.database.postgres);
        if (auto q = s->section("sqlite")) q->read("path", o.database.sqlite_path);
    }
}

}  // namespace

void apply_file(Section root, Options& o) {
    read_top_level(root, o);
    read_listener_sections(root, o);
    read_rate_limiter(root, o);
    read_limits(root, o);
    read_adapter(root, o);
    read_apps(root, o);
    read_back_ends(root, o);
}

}  // namespace sockudo::config
