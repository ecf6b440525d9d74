#include "config/key_reader.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>

#include "config/app.hpp"
#include "config/load.hpp"

namespace sockudo::config {

namespace json = boost::json;

namespace {

// Sockudo's configuration sections and top-level keys (operations.md §1.3–§1.4): a key under
// one of these that this server does not read is "not used", anything else is "unknown".
const std::set<std::string> kSockudoTopLevel = {
    "host", "port", "path_prefix", "debug", "mode", "server_role", "max_connections",
    "shutdown_grace_period", "activity_timeout", "user_authentication_timeout",
    "websocket_max_payload_kb", "health_check_timeout_ms", "instance", "logging", "http_api",
    "metrics", "rate_limiter", "cors", "ssl", "unix_socket", "channel_limits", "event_limits",
    "presence", "adapter", "app_manager", "cache", "queue", "webhooks", "database",
    "database_pooling", "cleanup", "cluster_health", "websocket", "connection_recovery",
    "idempotency", "history", "presence_history", "versioned_messages", "annotations",
    "ephemeral", "echo_control", "event_name_filtering", "delta_compression", "tag_filtering",
    "ai_transport", "ably_compat", "push", "push_rules"};

std::string describe(const json::value& v) {
    std::string s = json::serialize(v);
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return s;
}

void collect_unused(const json::object& object, const std::string& path, const KeyTracker& tracker,
                    std::vector<std::string>& out) {
    for (const auto& [k, v] : object) {
        const std::string key = path.empty() ? std::string(k) : path + "." + std::string(k);
        if (!tracker.used(key)) {
            const std::string top = key.substr(0, key.find_first_of(".["));
            if (kSockudoTopLevel.count(top) > 0) {
                out.push_back("configuration key " + key + " is not used by this server (ignored)");
            } else {
                out.push_back("unknown configuration key " + key + " (ignored)");
            }
            continue;
        }
        if (v.is_object()) collect_unused(v.get_object(), key, tracker, out);
        if (v.is_array()) {
            size_t i = 0;
            for (const auto& item : v.get_array()) {
                const std::string item_key = key + "[" + std::to_string(i++) + "]";
                if (item.is_object() && tracker.used(item_key)) collect_unused(item.get_object(), item_key, tracker, out);
            }
        }
    }
}

}  // namespace

int64_t json_integer(const json::value& v, const std::string& key) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v.get_uint64());
    if (v.is_double()) {
        const double d = v.get_double();
        if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
    }
    if (v.is_string()) {
        const std::string s(v.get_string());
        char* end = nullptr;
        errno = 0;
        const long long n = std::strtoll(s.c_str(), &end, 10);
        if (!s.empty() && end != nullptr && *end == '\0' && errno == 0) return n;
    }
    throw ConfigError("invalid value for " + key + ": " + describe(v) + " (expected an integer)");
}

void Section::bad(const std::string& name, const json::value& v, const std::string& want) const {
    throw ConfigError("invalid value for " + key(name) + ": " + describe(v) + " (expected " + want + ")");
}

bool Section::has(const char* name) const {
    auto it = object_->find(name);
    return it != object_->end() && !it->value().is_null();
}

const json::value* Section::find(const char* name) {
    auto it = object_->find(name);
    if (it == object_->end()) return nullptr;
    tracker_->mark(key(name));
    if (it->value().is_null()) return nullptr;
    return &it->value();
}

const json::value* Section::value(const char* name) { return find(name); }

void Section::read(const char* name, int64_t& out) {
    if (const json::value* v = find(name)) out = json_integer(*v, key(name));
}

void Section::read(const char* name, std::optional<int64_t>& out) {
    if (const json::value* v = find(name)) out = json_integer(*v, key(name));
}

void Section::read(const char* name, bool& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    if (v->is_bool()) {
        out = v->get_bool();
        return;
    }
    if (v->is_string()) {
        const std::string s(v->get_string());
        if (s == "true") { out = true; return; }
        if (s == "false") { out = false; return; }
    }
    bad(name, *v, "true or false");
}

void Section::read(const char* name, std::string& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    if (!v->is_string()) bad(name, *v, "a string");
    out = std::string(v->get_string());
}

void Section::read(const char* name, std::optional<std::string>& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    if (!v->is_string()) bad(name, *v, "a string");
    out = std::string(v->get_string());
}

void Section::read_port(const char* name, uint16_t& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    const int64_t n = json_integer(*v, key(name));
    if (n < 1 || n > 65535) bad(name, *v, "a port 1..65535");
    out = static_cast<uint16_t>(n);
}

void Section::read_list(const char* name, std::vector<std::string>& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    out.clear();
    if (v->is_string()) {
        const std::string s(v->get_string());
        size_t start = 0;
        while (start <= s.size()) {
            size_t comma = s.find(',', start);
            if (comma == std::string::npos) comma = s.size();
            std::string item = s.substr(start, comma - start);
            const size_t b = item.find_first_not_of(" \t");
            const size_t e = item.find_last_not_of(" \t");
            if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
            start = comma + 1;
        }
        return;
    }
    if (!v->is_array()) bad(name, *v, "a list of strings");
    for (const auto& item : v->get_array()) {
        if (!item.is_string()) bad(name, *v, "a list of strings");
        out.emplace_back(item.get_string());
    }
}

void Section::read_limit(const char* name, std::optional<int64_t>& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    const int64_t n = json_integer(*v, key(name));
    out = n < 0 ? AppLimits::kUnlimited : n;
}

std::optional<Section> Section::section(const char* name) {
    const json::value* v = find(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_object()) bad(name, *v, "a table/object");
    return Section(v->get_object(), key(name), *tracker_);
}

std::vector<Section> Section::objects(const char* name) {
    std::vector<Section> out;
    const json::value* v = find(name);
    if (v == nullptr) return out;
    if (!v->is_array()) bad(name, *v, "a list");
    size_t i = 0;
    for (const auto& item : v->get_array()) {
        const std::string item_key = key(name) + "[" + std::to_string(i++) + "]";
        if (!item.is_object()) throw ConfigError("invalid value for " + item_key + ": " + describe(item) + " (expected an object)");
        tracker_->mark(item_key);
        out.emplace_back(item.get_object(), item_key, *tracker_);
    }
    return out;
}

std::vector<std::string> unused_key_warnings(const json::object& root, const KeyTracker& tracker) {
    std::vector<std::string> out;
    collect_unused(root, "", tracker, out);
    return out;
}

}  // namespace sockudo::config
