#include "config/file_options.hpp"

#include <boost/json.hpp>

#include "config/drivers.hpp"
#include "config/load.hpp"
#include "config/origin_pattern.hpp"

namespace sockudo::config {

namespace json = boost::json;

namespace {

void read_app_limits(Section& s, AppLimits& l) {
    std::optional<int64_t> connections;
    s.read("max_connections", connections);
    if (connections) l.max_connections = *connections < 0 ? 0 : *connections;
    std::optional<int64_t> client_events;
    s.read("max_client_events_per_second", client_events);
    if (client_events) l.max_client_events_per_second = *client_events < 0 ? 0 : *client_events;
    s.read_limit("max_backend_events_per_second", l.max_backend_events_per_second);
    s.read_limit("max_read_requests_per_second", l.max_read_requests_per_second);
    s.read_limit("max_presence_members_per_channel", l.max_presence_members_per_channel);
    s.read_limit("max_presence_member_size_in_kb", l.max_presence_member_size_in_kb);
    s.read_limit("max_channel_name_length", l.max_channel_name_length);
    s.read_limit("max_event_channels_at_once", l.max_event_channels_at_once);
    s.read_limit("max_event_name_length", l.max_event_name_length);
    s.read_limit("max_event_payload_in_kb", l.max_event_payload_in_kb);
    s.read_limit("max_event_batch_size", l.max_event_batch_size);
    s.read_limit("decay_seconds", l.decay_seconds);
    s.read("terminate_on_limit", l.terminate_on_limit);
}

void read_app_features(Section& s, App& app) {
    s.read("enable_client_messages", app.enable_client_messages);
    s.read("enable_user_authentication", app.enable_user_authentication);
    s.read("enable_watchlist_events", app.enable_watchlist_events);
    s.read("enable_subscription_count", app.enable_subscription_count);
    s.read("ssl_only", app.ssl_only);
}

WebhookTarget read_webhook(Section& s) {
    WebhookTarget w;
    s.read("url", w.url);
    s.read_list("event_types", w.event_types);
    if (auto filter = s.section("filter")) {
        filter->read("channel_prefix", w.filter_prefix);
        filter->read("channel_name_starts_with", w.filter_prefix);
        filter->read("channel_suffix", w.filter_suffix);
        filter->read("channel_name_ends_with", w.filter_suffix);
        filter->read("channel_pattern", w.filter_pattern);
        std::optional<std::string> one_namespace;
        filter->read("channel_namespace", one_namespace);
        filter->read_list("channel_namespaces", w.filter_namespaces);
        if (one_namespace) w.filter_namespaces.push_back(*one_namespace);
    }
    if (const json::value* headers = s.value("headers")) {
        if (!headers->is_object()) s.bad("headers", *headers, "an object of header names to values");
        for (const auto& [name, value] : headers->get_object()) {
            if (!value.is_string()) s.bad("headers", *headers, "string header values");
            w.headers.emplace_back(std::string(name), std::string(value.get_string()));
        }
    }
    s.read("request_timeout_ms", w.request_timeout_ms);
    if (w.url.empty()) {
        throw ConfigError(s.path() + ": a webhook needs a url (Lambda targets are not supported by this server)");
    }
    if (w.url.rfind("http://", 0) != 0 && w.url.rfind("https://", 0) != 0) {
        throw ConfigError("invalid value for " + s.key("url") + ": \"" + w.url + "\" (expected an http:// or https:// URL)");
    }
    return w;
}

void read_origins(Section& s, const char* name, std::vector<std::string>& out) {
    s.read_list(name, out);
    for (const auto& pattern : out) {
        if (auto err = origin_pattern_error(pattern)) {
            throw ConfigError("invalid value for " + s.key(name) + ": pattern \"" + pattern + "\": " + *err);
        }
    }
}

}  // namespace

App read_app(Section s) {
    App app;
    s.read("id", app.id);
    s.read("key", app.key);
    s.read("secret", app.secret);
    s.read("enabled", app.enabled);
    // Flat (Soketi / SQL column) form and Sockudo's nested policy form are both accepted.
    read_app_limits(s, app.limits);
    read_app_features(s, app);
    read_origins(s, "allowed_origins", app.allowed_origins);
    for (Section& w : s.objects("webhooks")) app.webhooks.push_back(read_webhook(w));
    if (auto policy = s.section("policy")) {
        if (auto limits = policy->section("limits")) read_app_limits(*limits, app.limits);
        if (auto features = policy->section("features")) read_app_features(*features, app);
        if (auto channels = policy->section("channels")) read_origins(*channels, "allowed_origins", app.allowed_origins);
        for (Section& w : policy->objects("webhooks")) app.webhooks.push_back(read_webhook(w));
    }
    if (app.id.empty() || app.key.empty() || app.secret.empty()) {
        throw ConfigError(s.path() + ": id, key and secret are required");
    }
    return app;
}

void apply_file(Section root, Options& o) {
    root.read("host", o.host);
    root.read_port("port", o.port);
    root.read("path_prefix", o.path_prefix);
    root.read("debug", o.debug);
    root.read("mode", o.mode);
    root.read("max_connections", o.max_connections);
    root.read("shutdown_grace_period", o.shutdown_grace_period_s);
    root.read("activity_timeout", o.activity_timeout_s);
    root.read("user_authentication_timeout", o.user_authentication_timeout_s);
    root.read("websocket_max_payload_kb", o.websocket_max_payload_kb);
    root.read("health_check_timeout_ms", o.health_check_timeout_ms);
    if (auto s = root.section("instance")) s->read("process_id", o.instance_process_id);
    if (auto s = root.section("logging")) {
        s->read("colors_enabled", o.logging.colors_enabled);
        s->read("include_target", o.logging.include_target);
    }
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
        s->read_port("port", o.metrics.port);
        if (auto p = s->section("prometheus")) p->read("prefix", o.metrics.prefix);
    }
    if (auto s = root.section("rate_limiter")) {
        s->read("enabled", o.rate_limiter.enabled);
        std::optional<std::string> driver;
        s->read("driver", driver);
        if (driver) o.rate_limiter.driver = parse_rate_limiter_driver(*driver, s->key("driver"));
        for (auto [name, limit] : {std::pair{"api_rate_limit", &o.rate_limiter.api},
                                   std::pair{"websocket_rate_limit", &o.rate_limiter.websocket}}) {
            if (auto l = s->section(name)) {
                l->read("max_requests", limit->max_requests);
                l->read("window_seconds", limit->window_seconds);
                l->read("trust_hops", limit->trust_hops);
                std::string identifier;
                l->read("identifier", identifier);  // informational in Sockudo as well
            }
        }
        if (auto r = s->section("redis")) r->read("prefix", o.rate_limiter.redis_prefix);
        s->read("enforce_app_limits", o.rate_limiter.enforce_app_limits);
    }
    if (auto s = root.section("cors")) {
        read_origins(*s, "origin", o.cors.origin);
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
        s->read_port("http_port", o.ssl.http_port);
    }
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
    if (auto s = root.section("adapter")) {
        std::optional<std::string> driver;
        s->read("driver", driver);
        if (driver) o.adapter.driver = parse_adapter_driver(*driver, s->key("driver"));
        s->read("fallback_to_local", o.adapter.fallback_to_local);
        if (auto r = s->section("redis")) {
            r->read("prefix", o.adapter.redis_prefix);
            r->read("requests_timeout", o.adapter.redis_requests_timeout_ms);
        }
        if (auto n = s->section("nats")) {
            n->read_list("servers", o.adapter.nats_servers);
            n->read("prefix", o.adapter.nats_prefix);
            n->read("request_timeout_ms", o.adapter.nats_request_timeout_ms);
        }
        if (auto h = s->section("cluster_health")) {
            h->read("heartbeat_interval_ms", o.adapter.heartbeat_interval_ms);
            h->read("node_timeout_ms", o.adapter.node_timeout_ms);
            h->read("cleanup_interval_ms", o.adapter.cleanup_interval_ms);
        }
    }
    if (auto s = root.section("app_manager")) {
        std::optional<std::string> driver;
        s->read("driver", driver);
        if (driver) o.app_manager_driver = parse_app_manager_driver(*driver, s->key("driver"));
        if (auto c = s->section("cache")) {
            c->read("enabled", o.app_manager_cache_enabled);
            c->read("ttl", o.app_manager_cache_ttl_s);
        }
        if (auto array = s->section("array")) {
            if (array->has("apps")) {
                o.apps.clear();
                for (Section& app : array->objects("apps")) o.apps.push_back(read_app(app));
            } else {
                array->value("apps");  // an explicit null: no apps
            }
        }
    }
    if (auto s = root.section("cache")) {
        std::optional<std::string> driver;
        s->read("driver", driver);
        if (driver) o.cache_driver = parse_cache_driver(*driver, s->key("driver"));
    }
    if (auto s = root.section("queue")) {
        std::optional<std::string> driver;
        s->read("driver", driver);
        if (driver) o.queue_driver = parse_queue_driver(*driver, s->key("driver"));
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
            r->read_port("port", o.database.redis_port);
            r->read("db", o.database.redis_db);
            r->read("username", o.database.redis_username);
            r->read("password", o.database.redis_password);
        }
    }
}

}  // namespace sockudo::config
