#include "config/load.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <toml++/toml.h>

#include "config/origin_pattern.hpp"

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

json::value parse_file(const std::string& path, const EnvLookup& env) {
    std::string text = interpolate(read_file(path), env, path);
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

// --- typed reads with key paths in the errors ---------------------------------------------

[[noreturn]] void bad(const std::string& key, const json::value& v, const std::string& want) {
    throw ConfigError("invalid value for " + key + ": " + json::serialize(v) + " (expected " + want + ")");
}

std::optional<int64_t> as_int(const json::value& v, const std::string& key) {
    if (v.is_null()) return std::nullopt;
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64()) return static_cast<int64_t>(v.get_uint64());
    if (v.is_double() && v.get_double() == static_cast<double>(static_cast<int64_t>(v.get_double()))) {
        return static_cast<int64_t>(v.get_double());
    }
    if (v.is_string()) {
        const std::string s(v.get_string());
        char* end = nullptr;
        long long n = std::strtoll(s.c_str(), &end, 10);
        if (!s.empty() && end != nullptr && *end == '\0') return n;
    }
    bad(key, v, "a number");
}

bool as_bool(const json::value& v, const std::string& key) {
    if (v.is_bool()) return v.get_bool();
    bad(key, v, "true or false");
}

std::string as_string(const json::value& v, const std::string& key) {
    if (v.is_string()) return std::string(v.get_string());
    bad(key, v, "a string");
}

void read_int(const json::object& o, const char* name, const std::string& path, int64_t& out) {
    if (auto it = o.find(name); it != o.end()) {
        if (auto n = as_int(it->value(), path + name)) out = *n;
    }
}

void read_port(const json::object& o, const char* name, const std::string& path, uint16_t& out) {
    if (auto it = o.find(name); it != o.end()) {
        auto n = as_int(it->value(), path + name);
        if (!n || *n < 1 || *n > 65535) bad(path + name, it->value(), "a port 1..65535");
        out = static_cast<uint16_t>(*n);
    }
}

void read_bool(const json::object& o, const char* name, const std::string& path, bool& out) {
    if (auto it = o.find(name); it != o.end()) out = as_bool(it->value(), path + name);
}

void read_string(const json::object& o, const char* name, const std::string& path, std::string& out) {
    if (auto it = o.find(name); it != o.end()) out = as_string(it->value(), path + name);
}

const json::object* section(const json::object& o, const char* name, const std::string& path) {
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null()) return nullptr;
    if (!it->value().is_object()) bad(path + name, it->value(), "a table/object");
    return &it->value().get_object();
}

void read_optional_limit(const json::object& o, const char* name, const std::string& path,
                         std::optional<int64_t>& out) {
    if (auto it = o.find(name); it != o.end()) {
        auto n = as_int(it->value(), path + name);
        if (n) out = *n < 0 ? AppLimits::kUnlimited : *n;
    }
}

void read_limits(const json::object& o, const std::string& path, AppLimits& l) {
    if (auto it = o.find("max_connections"); it != o.end()) {
        if (auto n = as_int(it->value(), path + "max_connections")) l.max_connections = *n < 0 ? 0 : *n;
    }
    if (auto it = o.find("max_client_events_per_second"); it != o.end()) {
        if (auto n = as_int(it->value(), path + "max_client_events_per_second")) {
            l.max_client_events_per_second = *n < 0 ? 0 : *n;
        }
    }
    read_optional_limit(o, "max_backend_events_per_second", path, l.max_backend_events_per_second);
    read_optional_limit(o, "max_read_requests_per_second", path, l.max_read_requests_per_second);
    read_optional_limit(o, "max_presence_members_per_channel", path, l.max_presence_members_per_channel);
    read_optional_limit(o, "max_presence_member_size_in_kb", path, l.max_presence_member_size_in_kb);
    read_optional_limit(o, "max_channel_name_length", path, l.max_channel_name_length);
    read_optional_limit(o, "max_event_channels_at_once", path, l.max_event_channels_at_once);
    read_optional_limit(o, "max_event_name_length", path, l.max_event_name_length);
    read_optional_limit(o, "max_event_payload_in_kb", path, l.max_event_payload_in_kb);
    read_optional_limit(o, "max_event_batch_size", path, l.max_event_batch_size);
    read_optional_limit(o, "decay_seconds", path, l.decay_seconds);
    read_bool(o, "terminate_on_limit", path, l.terminate_on_limit);
}

void read_string_list(const json::object& o, const char* name, const std::string& path,
                      std::vector<std::string>& out) {
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null()) return;
    if (!it->value().is_array()) bad(path + name, it->value(), "a list of strings");
    out.clear();
    for (const auto& v : it->value().get_array()) out.push_back(as_string(v, path + name));
}

void read_features(const json::object& o, const std::string& path, App& app) {
    read_bool(o, "enable_client_messages", path, app.enable_client_messages);
    for (auto [name, field] : {std::pair{"enable_user_authentication", &app.enable_user_authentication},
                               std::pair{"enable_watchlist_events", &app.enable_watchlist_events},
                               std::pair{"enable_subscription_count", &app.enable_subscription_count},
                               std::pair{"ssl_only", &app.ssl_only}}) {
        auto it = o.find(name);
        if (it != o.end() && !it->value().is_null()) *field = as_bool(it->value(), path + name);
    }
}

App read_app(const json::value& v, const std::string& path) {
    if (!v.is_object()) bad(path, v, "an app object");
    const json::object& o = v.get_object();
    App app;
    read_string(o, "id", path + ".", app.id);
    read_string(o, "key", path + ".", app.key);
    read_string(o, "secret", path + ".", app.secret);
    read_bool(o, "enabled", path + ".", app.enabled);
    if (const json::object* policy = section(o, "policy", path + ".")) {
        const std::string pp = path + ".policy.";
        if (auto* limits = section(*policy, "limits", pp)) read_limits(*limits, pp + "limits.", app.limits);
        if (auto* features = section(*policy, "features", pp)) read_features(*features, pp + "features.", app);
        if (auto* channels = section(*policy, "channels", pp)) {
            read_string_list(*channels, "allowed_origins", pp + "channels.", app.allowed_origins);
        }
    } else {
        read_limits(o, path + ".", app.limits);
        read_features(o, path + ".", app);
        read_string_list(o, "allowed_origins", path + ".", app.allowed_origins);
    }
    for (const auto& field : {&app.id, &app.key, &app.secret}) {
        if (field->empty()) throw ConfigError(path + ": id, key and secret are required");
    }
    for (const auto& pattern : app.allowed_origins) {
        if (auto err = origin_pattern_error(pattern)) {
            throw ConfigError(path + ".allowed_origins: invalid pattern \"" + pattern + "\": " + *err);
        }
    }
    return app;
}

void apply_file(const json::object& root, Options& o) {
    read_string(root, "host", "", o.host);
    read_port(root, "port", "", o.port);
    read_string(root, "path_prefix", "", o.path_prefix);
    read_bool(root, "debug", "", o.debug);
    read_string(root, "mode", "", o.mode);
    read_int(root, "max_connections", "", o.max_connections);
    read_int(root, "shutdown_grace_period", "", o.shutdown_grace_period_s);
    read_int(root, "activity_timeout", "", o.activity_timeout_s);
    read_int(root, "user_authentication_timeout", "", o.user_authentication_timeout_s);
    read_int(root, "websocket_max_payload_kb", "", o.websocket_max_payload_kb);
    if (auto* m = section(root, "metrics", "")) {
        read_bool(*m, "enabled", "metrics.", o.metrics.enabled);
        read_string(*m, "host", "metrics.", o.metrics.host);
        read_port(*m, "port", "metrics.", o.metrics.port);
        if (auto* p = section(*m, "prometheus", "metrics.")) read_string(*p, "prefix", "metrics.prometheus.", o.metrics.prefix);
    }
    if (auto* h = section(root, "http_api", "")) {
        read_int(*h, "request_limit_in_mb", "http_api.", o.http_api.request_limit_in_mb);
        read_bool(*h, "usage_enabled", "http_api.", o.http_api.usage_enabled);
    }
    if (auto* c = section(root, "channel_limits", "")) {
        read_int(*c, "max_name_length", "channel_limits.", o.limits.max_channel_name_length);
        read_int(*c, "cache_ttl", "channel_limits.", o.limits.cache_ttl_seconds);
    }
    if (auto* e = section(root, "event_limits", "")) {
        read_int(*e, "max_channels_at_once", "event_limits.", o.limits.max_event_channels_at_once);
        read_int(*e, "max_name_length", "event_limits.", o.limits.max_event_name_length);
        read_int(*e, "max_payload_in_kb", "event_limits.", o.limits.max_event_payload_in_kb);
        read_int(*e, "max_batch_size", "event_limits.", o.limits.max_event_batch_size);
    }
    if (auto* p = section(root, "presence", "")) {
        read_int(*p, "max_members_per_channel", "presence.", o.limits.max_presence_members_per_channel);
        read_int(*p, "max_member_size_in_kb", "presence.", o.limits.max_presence_member_size_in_kb);
    }
    if (auto* am = section(root, "app_manager", "")) {
        if (auto it = am->find("driver"); it != am->end()) {
            std::string d = as_string(it->value(), "app_manager.driver");
            if (d != "memory") throw ConfigError("app_manager.driver: \"" + d + "\" is not supported yet (use memory)");
        }
        if (auto* array = section(*am, "array", "app_manager.")) {
            if (auto it = array->find("apps"); it != array->end()) {
                if (!it->value().is_array()) bad("app_manager.array.apps", it->value(), "a list of apps");
                o.apps.clear();
                size_t i = 0;
                for (const auto& v : it->value().get_array()) {
                    o.apps.push_back(read_app(v, "app_manager.array.apps[" + std::to_string(i++) + "]"));
                }
            }
        }
    }
    if (auto* a = section(root, "adapter", "")) {
        if (auto it = a->find("driver"); it != a->end()) {
            std::string d = as_string(it->value(), "adapter.driver");
            if (d != "local") throw ConfigError("adapter.driver: \"" + d + "\" is not supported yet (use local)");
        }
    }
}

// --- environment ----------------------------------------------------------------------------

std::optional<bool> parse_bool(const std::string& v) {
    std::string s;
    for (char c : v) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "0" || s == "no" || s == "off") return false;
    return std::nullopt;
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
    r.boolean("METRICS_ENABLED", o.metrics.enabled);
    r.string("METRICS_HOST", o.metrics.host);
    r.port("METRICS_PORT", o.metrics.port);
    r.string("METRICS_PROMETHEUS_PREFIX", o.metrics.prefix);
    if (auto v = env("LOG_OUTPUT_FORMAT")) o.logging.json = *v == "json";
    r.boolean("LOG_COLORS_ENABLED", o.logging.colors_enabled);
    r.boolean("LOG_INCLUDE_TARGET", o.logging.include_target);
    apply_default_app_env(env, o);
}

void validate(Options& o) {
    if (o.activity_timeout_s <= 0) throw ConfigError("activity_timeout must be > 0 (got " + std::to_string(o.activity_timeout_s) + ")");
    if (o.websocket_max_payload_kb <= 0) throw ConfigError("websocket_max_payload_kb must be > 0");
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
        json::value root = parse_file(*path, request.env);
        apply_file(root.get_object(), o);
        o.source = *path;
    }
    apply_env(request.env, o);
    validate(o);
    return o;
}

std::string print_options(const Options& o) {
    json::array apps;
    for (const auto& a : o.apps) {
        apps.push_back(json::object{
            {"id", a.id}, {"key", a.key}, {"secret", "<redacted>"}, {"enabled", a.enabled},
            {"policy", json::object{
                {"limits", json::object{{"max_connections", a.limits.max_connections},
                                        {"max_client_events_per_second", a.limits.max_client_events_per_second}}},
                {"features", json::object{{"enable_client_messages", a.enable_client_messages},
                                          {"enable_user_authentication", a.enable_user_authentication},
                                          {"enable_watchlist_events", a.enable_watchlist_events}}},
                {"channels", json::object{{"allowed_origins", json::value_from(a.allowed_origins)}}}}}});
    }
    json::object root{
        {"host", o.host}, {"port", o.port}, {"path_prefix", o.path_prefix}, {"debug", o.debug},
        {"mode", o.mode}, {"max_connections", o.max_connections},
        {"shutdown_grace_period", o.shutdown_grace_period_s}, {"activity_timeout", o.activity_timeout_s},
        {"user_authentication_timeout", o.user_authentication_timeout_s},
        {"websocket_max_payload_kb", o.websocket_max_payload_kb},
        {"metrics", json::object{{"enabled", o.metrics.enabled}, {"host", o.metrics.host},
                                 {"port", o.metrics.port},
                                 {"prometheus", json::object{{"prefix", o.metrics.prefix}}}}},
        {"app_manager", json::object{{"driver", "memory"}, {"array", json::object{{"apps", apps}}}}},
        {"adapter", json::object{{"driver", "local"}}},
    };
    return json::serialize(root);
}

}  // namespace sockudo::config
