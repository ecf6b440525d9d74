#include "config/load.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <toml++/toml.h>

#include "config/drivers.hpp"
#include "config/env_options.hpp"
#include "config/file_options.hpp"
#include "config/key_reader.hpp"

namespace sockudo::config {

namespace json = boost::json;
namespace fs = std::filesystem;

EnvLookup process_env() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

namespace {

App embedded_default_app() {
    App app;
    app.id = "app-id";
    app.key = "app-key";
    app.secret = "app-secret";
    app.enabled = true;
    app.limits.max_connections = 100000;
    app.limits.max_client_events_per_second = 1000;
    app.enable_client_messages = true;
    app.enable_user_authentication = true;
    app.allowed_origins = {"*"};
    return app;
}

Options embedded_defaults() {
    Options o;
    o.mode = "development";
    o.shutdown_grace_period_s = 2;
    o.rate_limiter.enabled = false;
    o.webhooks.batching_enabled = false;
    o.webhooks.retry_max_attempts = 5;
    o.app_manager_cache_enabled = false;
    o.apps.push_back(embedded_default_app());
    return o;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot read configuration file " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// ${VAR} and ${VAR:-fallback}; unresolved names are reported together.
std::string interpolate(const std::string& text, const EnvLookup& env, const std::string& path) {
    std::string out;
    std::vector<std::string> missing;
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
            size_t close = text.find('}', i + 2);
            if (close == std::string::npos) {
                out.append(text, i, std::string::npos);
                break;
            }
            std::string body = text.substr(i + 2, close - i - 2);
            std::string name = body;
            std::optional<std::string> fallback;
            size_t sep = body.find(":-");
            if (sep != std::string::npos) {
                name = body.substr(0, sep);
                fallback = body.substr(sep + 2);
            }
            auto value = env(name);
            if (value && !value->empty()) {
                out += *value;
            } else if (fallback) {
                out += *fallback;
            } else {
                missing.push_back(name);
            }
            i = close + 1;
            continue;
        }
        out.push_back(text[i++]);
    }
    if (!missing.empty()) {
        std::string names;
        for (const auto& n : missing) names += (names.empty() ? "" : ", ") + n;
        throw ConfigError(path + ": unresolved environment variable(s) in ${...}: " + names);
    }
    return out;
}

json::value toml_to_json(const toml::node& node) {
    if (auto t = node.as_table()) {
        json::object o;
        for (const auto& [k, v] : *t) o[std::string(k.str())] = toml_to_json(v);
        return o;
    }
    if (auto a = node.as_array()) {
        json::array arr;
        for (const auto& v : *a) arr.push_back(toml_to_json(v));
        return arr;
    }
    if (auto s = node.as_string()) return json::string(s->get());
    if (auto i = node.as_integer()) return i->get();
    if (auto f = node.as_floating_point()) return f->get();
    if (auto b = node.as_boolean()) return b->get();
    return nullptr;
}

json::value parse_text(const std::string& raw, const std::string& path, const EnvLookup& env) {
    std::string text = interpolate(raw, env, path);
    if (path.size() >= 5 && path.substr(path.size() - 5) == ".toml") {
        try {
            return toml_to_json(toml::parse(text, path));
        } catch (const toml::parse_error& e) {
            std::ostringstream msg;
            msg << path << ": invalid TOML: " << e.description() << " at line "
                << e.source().begin.line;
            throw ConfigError(msg.str());
        }
    }
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) throw ConfigError(path + ": invalid JSON: " + ec.message());
    if (!v.is_object()) throw ConfigError(path + ": the top level must be an object");
    return v;
}

void validate(Options& o) {
    if (o.activity_timeout_s <= 0) {
        throw ConfigError("invalid value for activity_timeout: " + std::to_string(o.activity_timeout_s) + " (expected > 0)");
    }
    if (o.websocket_max_payload_kb <= 0) {
        throw ConfigError("invalid value for websocket_max_payload_kb: " + std::to_string(o.websocket_max_payload_kb) + " (expected > 0)");
    }
    if (o.shutdown_grace_period_s < 0) throw ConfigError("invalid value for shutdown_grace_period: must be >= 0");
    if (o.http_api.request_limit_in_mb <= 0) throw ConfigError("invalid value for http_api.request_limit_in_mb: must be > 0");
    if (o.path_prefix.empty() || o.path_prefix.front() != '/') {
        throw ConfigError("invalid value for path_prefix: \"" + o.path_prefix + "\" (expected to start with /)");
    }
    if (o.webhooks.leave_delay_ms < 0) throw ConfigError("invalid value for webhooks.leave_delay_ms: must be >= 0");
    if (o.ssl.enabled && (o.ssl.cert_path.empty() || o.ssl.key_path.empty())) {
        throw ConfigError("ssl.enabled is true but ssl.cert_path / ssl.key_path are not set");
    }
    // Spelled right and understood, but the back-end is not part of this build yet.
    if (o.adapter.driver != AdapterDriver::Local) {
        throw ConfigError(std::string("adapter.driver: \"") + driver_name(o.adapter.driver) + "\" is not available in this build (use local)");
    }
    if (o.app_manager_driver != AppManagerDriver::Memory) {
        throw ConfigError(std::string("app_manager.driver: \"") + driver_name(o.app_manager_driver) + "\" is not available in this build (use memory)");
    }
    if (o.cache_driver == CacheDriver::Redis || o.cache_driver == CacheDriver::RedisCluster) {
        throw ConfigError(std::string("cache.driver: \"") + driver_name(o.cache_driver) + "\" is not available in this build (use memory)");
    }
    if (o.queue_driver == QueueDriver::Redis || o.queue_driver == QueueDriver::RedisCluster) {
        throw ConfigError(std::string("queue.driver: \"") + driver_name(o.queue_driver) + "\" is not available in this build (use memory)");
    }
    if (o.rate_limiter.driver == RateLimiterDriver::Redis || o.rate_limiter.driver == RateLimiterDriver::RedisCluster) {
        throw ConfigError(std::string("rate_limiter.driver: \"") + driver_name(o.rate_limiter.driver) + "\" is not available in this build (use memory)");
    }
    for (size_t i = 0; i < o.apps.size(); ++i) {
        for (size_t j = i + 1; j < o.apps.size(); ++j) {
            if (o.apps[i].id == o.apps[j].id) throw ConfigError("duplicate app id " + o.apps[i].id);
            if (o.apps[i].key == o.apps[j].key) throw ConfigError("duplicate app key " + o.apps[i].key);
        }
    }
    if (o.instance_process_id.empty()) {
        std::random_device rd;
        std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
        char buf[40];
        uint64_t a = gen(), b = gen();
        std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                      static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0x0FFF),
                      static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3FFF)),
                      static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
        o.instance_process_id = buf;
    }
}

void apply_document(const json::value& root, Options& o) {
    KeyTracker tracker;
    apply_file(Section(root.get_object(), "", tracker), o);
    for (auto& warning : unused_key_warnings(root.get_object(), tracker)) o.warnings.push_back(std::move(warning));
}

}  // namespace

Options load_options(const LoadRequest& request) {
    Options o = embedded_defaults();
    std::optional<std::string> path = request.explicit_path;
    if (!path) {
        for (const char* name : {"config/config.toml", "config/config.json"}) {
            fs::path candidate = fs::path(request.working_dir) / name;
            if (fs::exists(candidate)) {
                path = candidate.string();
                break;
            }
        }
    }
    if (path) {
        apply_document(parse_text(read_file(*path), *path, request.env), o);
        o.source = *path;
    }
    apply_env(request.env, o);
    validate(o);
    return o;
}

Options load_options_from_text(const std::string& text, const std::string& name, const EnvLookup& env) {
    Options o = embedded_defaults();
    apply_document(parse_text(text, name, env), o);
    o.source = name;
    apply_env(env, o);
    validate(o);
    return o;
}

namespace {

json::value optional_value(const std::optional<int64_t>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

json::array strings(const std::vector<std::string>& items) {
    json::array out;
    for (const auto& s : items) out.emplace_back(s);
    return out;
}

const char* kRedacted = "<redacted>";

}  // namespace

std::string print_options(const Options& o) {
    json::array apps;
    for (const auto& a : o.apps) {
        json::array hooks;
        for (const auto& w : a.webhooks) {
            json::object headers;
            // Header values often carry credentials (Authorization, API keys).
            for (const auto& [name, value] : w.headers) headers[name] = kRedacted;
            json::object filter;
            if (w.filter_prefix) filter["channel_prefix"] = *w.filter_prefix;
            if (w.filter_suffix) filter["channel_suffix"] = *w.filter_suffix;
            if (w.filter_pattern) filter["channel_pattern"] = *w.filter_pattern;
            if (!w.filter_namespaces.empty()) filter["channel_namespaces"] = strings(w.filter_namespaces);
            hooks.push_back(json::object{{"url", w.url}, {"event_types", strings(w.event_types)},
                                         {"filter", filter}, {"headers", headers}});
        }
        const AppLimits& l = a.limits;
        apps.push_back(json::object{
            {"id", a.id}, {"key", a.key}, {"secret", kRedacted}, {"enabled", a.enabled},
            {"policy", json::object{
                {"limits", json::object{
                    {"max_connections", l.max_connections},
                    {"max_client_events_per_second", l.max_client_events_per_second},
                    {"max_backend_events_per_second", optional_value(l.max_backend_events_per_second)},
                    {"max_read_requests_per_second", optional_value(l.max_read_requests_per_second)},
                    {"max_presence_members_per_channel", optional_value(l.max_presence_members_per_channel)},
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
                {"webhooks", hooks}}}});
    }
    auto rate = [](const RateLimit& r) {
        return json::object{{"max_requests", r.max_requests}, {"window_seconds", r.window_seconds},
                            {"trust_hops", r.trust_hops}};
    };
    json::object redis{{"host", o.database.redis_host}, {"port", o.database.redis_port},
                       {"db", o.database.redis_db},
                       {"username", o.database.redis_username ? json::value(*o.database.redis_username) : json::value(nullptr)},
                       {"password", o.database.redis_password ? json::value(kRedacted) : json::value(nullptr)}};
    if (o.database.redis_url_override) redis["url_override"] = kRedacted;
    json::object root{
        {"host", o.host}, {"port", o.port}, {"path_prefix", o.path_prefix}, {"debug", o.debug},
        {"mode", o.mode}, {"max_connections", o.max_connections},
        {"shutdown_grace_period", o.shutdown_grace_period_s}, {"activity_timeout", o.activity_timeout_s},
        {"user_authentication_timeout", o.user_authentication_timeout_s},
        {"websocket_max_payload_kb", o.websocket_max_payload_kb},
        {"health_check_timeout_ms", o.health_check_timeout_ms},
        {"instance", json::object{{"process_id", o.instance_process_id}}},
        {"logging", json::object{{"colors_enabled", o.logging.colors_enabled},
                                 {"include_target", o.logging.include_target},
                                 {"format", o.logging.json ? "json" : "text"}}},
        {"http_api", json::object{{"request_limit_in_mb", o.http_api.request_limit_in_mb},
                                  {"usage_enabled", o.http_api.usage_enabled}}},
        {"metrics", json::object{{"enabled", o.metrics.enabled}, {"driver", "prometheus"},
                                 {"host", o.metrics.host}, {"port", o.metrics.port},
                                 {"prometheus", json::object{{"prefix", o.metrics.prefix}}}}},
        {"rate_limiter", json::object{{"enabled", o.rate_limiter.enabled},
                                      {"driver", driver_name(o.rate_limiter.driver)},
                                      {"api_rate_limit", rate(o.rate_limiter.api)},
                                      {"websocket_rate_limit", rate(o.rate_limiter.websocket)},
                                      {"enforce_app_limits", o.rate_limiter.enforce_app_limits}}},
        {"cors", json::object{{"origin", strings(o.cors.origin)}, {"methods", strings(o.cors.methods)},
                              {"allowed_headers", strings(o.cors.allowed_headers)},
                              {"credentials", o.cors.credentials}}},
        {"ssl", json::object{{"enabled", o.ssl.enabled}, {"cert_path", o.ssl.cert_path},
                             {"key_path", o.ssl.key_path},
                             {"passphrase", o.ssl.passphrase ? json::value(kRedacted) : json::value(nullptr)},
                             {"redirect_http", o.ssl.redirect_http}, {"http_port", o.ssl.http_port}}},
        {"channel_limits", json::object{{"max_name_length", o.limits.max_channel_name_length},
                                        {"cache_ttl", o.limits.cache_ttl_seconds}}},
        {"event_limits", json::object{{"max_channels_at_once", o.limits.max_event_channels_at_once},
                                      {"max_name_length", o.limits.max_event_name_length},
                                      {"max_payload_in_kb", o.limits.max_event_payload_in_kb},
                                      {"max_batch_size", o.limits.max_event_batch_size}}},
        {"presence", json::object{{"max_members_per_channel", o.limits.max_presence_members_per_channel},
                                  {"max_member_size_in_kb", o.limits.max_presence_member_size_in_kb}}},
        {"adapter", json::object{{"driver", driver_name(o.adapter.driver)},
                                 {"fallback_to_local", o.adapter.fallback_to_local},
                                 {"nats", json::object{{"servers", strings(o.adapter.nats_servers)},
                                                       {"prefix", o.adapter.nats_prefix}}}}},
        {"app_manager", json::object{{"driver", driver_name(o.app_manager_driver)},
                                     {"cache", json::object{{"enabled", o.app_manager_cache_enabled},
                                                            {"ttl", o.app_manager_cache_ttl_s}}},
                                     {"array", json::object{{"apps", apps}}}}},
        {"cache", json::object{{"driver", driver_name(o.cache_driver)}}},
        {"queue", json::object{{"driver", driver_name(o.queue_driver)}}},
        {"webhooks", json::object{
            {"batching", json::object{{"enabled", o.webhooks.batching_enabled},
                                      {"duration", o.webhooks.batching_duration_ms},
                                      {"size", o.webhooks.batching_size}}},
            {"retry", json::object{{"enabled", o.webhooks.retry_enabled},
                                   {"max_attempts", optional_value(o.webhooks.retry_max_attempts)},
                                   {"max_elapsed_time_ms", o.webhooks.retry_max_elapsed_time_ms},
                                   {"initial_backoff_ms", o.webhooks.retry_initial_backoff_ms},
                                   {"max_backoff_ms", o.webhooks.retry_max_backoff_ms}}},
            {"request_timeout_ms", o.webhooks.request_timeout_ms},
            {"leave_delay_ms", o.webhooks.leave_delay_ms}}},
        {"database", json::object{{"redis", redis}}},
    };
    return json::serialize(root);
}

}  // namespace sockudo::config
