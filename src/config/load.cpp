#include "config/load.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "config/env_options.hpp"
#include "config/file_options.hpp"
#include "config/key_reader.hpp"
#include "config/validate.hpp"

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

// A config file is a few kilobytes; anything this large is a wrong path.
constexpr std::uintmax_t kMaxFileBytes = 16 * 1024 * 1024;

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

// The values of the shipped config/config.{json,toml}, which is what operators of Sockudo's
// Docker image experience as "the defaults" (operations.md §1.3 "Shipped" column).
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
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw ConfigError("cannot read configuration file " + path + ": it is a directory");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > kMaxFileBytes)
        throw ConfigError("configuration file " + path + " is larger than 16 MiB");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot read configuration file " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool is_env_name(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
    return true;
}

// ${VAR} and ${VAR:-fallback} (§1.1.1): one textual pass; unset and empty are the same; every
// unresolved name is reported at once. Text that is not ${NAME...} stays as it is.
std::string interpolate(const std::string& text, const EnvLookup& env, const std::string& path) {
    std::string out;
    out.reserve(text.size());
    std::vector<std::string> missing;
    size_t i = 0;
    while (i < text.size()) {
        const size_t open = text.find("${", i);
        if (open == std::string::npos) break;
        const size_t close = text.find('}', open + 2);
        if (close == std::string::npos) break;
        const std::string body = text.substr(open + 2, close - open - 2);
        const size_t sep = body.find(":-");
        const std::string name = body.substr(0, sep);
        out.append(text, i, open - i);
        i = close + 1;
        if (!is_env_name(name)) {
            out.append(text, open, close + 1 - open);
            continue;
        }
        auto value = env(name);
        if (value && !value->empty()) {
            out += *value;
        } else if (sep != std::string::npos) {
            out += body.substr(sep + 2);
        } else if (std::find(missing.begin(), missing.end(), name) == missing.end()) {
            missing.push_back(name);
        }
    }
    out.append(text, i, std::string::npos);
    if (!missing.empty()) {
        std::string names;
        for (const auto& n : missing) names += (names.empty() ? "" : ", ") + n;
        throw ConfigError(
            path + ": environment variable(s) used in ${...} but not set (or empty): " + names);
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
    // Dates and times: no key takes one, so keep the text for the error message.
    std::ostringstream text;
    if (auto d = node.as_date()) text << *d;
    if (auto t = node.as_time()) text << *t;
    if (auto dt = node.as_date_time()) text << *dt;
    return json::string(text.str());
}

json::value parse_json(const std::string& text, const std::string& path) {
    json::stream_parser parser;
    boost::system::error_code ec;
    const size_t consumed = parser.write(text.data(), text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
        size_t line = 1;
        size_t column = 1;
        for (size_t i = 0; i < consumed && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw ConfigError(path + ": invalid JSON at line " + std::to_string(line) + ", column " +
                          std::to_string(column) + ": " + ec.message());
    }
    json::value v = parser.release();
    if (!v.is_object()) throw ConfigError(path + ": the top level must be an object");
    return v;
}

json::value parse_text(const std::string& raw, const std::string& path, const EnvLookup& env) {
    const std::string text = interpolate(raw, env, path);
    if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".toml") == 0) {
        try {
            return toml_to_json(toml::parse(text, path));
        } catch (const toml::parse_error& e) {
            std::ostringstream msg;
            msg << path << ": invalid TOML at line " << e.source().begin.line << ", column "
                << e.source().begin.column << ": " << e.description();
            throw ConfigError(msg.str());
        }
    }
    return parse_json(text, path);
}

// Returns whether the file set logging.level (it then wins over SOCKUDO_LOG_*).
bool apply_document(const json::value& root, Options& o) {
    KeyTracker tracker;
    apply_file(Section(root.get_object(), "", tracker), o);
    for (const auto& warning : tracker.warnings()) o.warnings.push_back(warning);
    for (auto& warning : unused_key_warnings(root.get_object(), tracker))
        o.warnings.push_back(std::move(warning));
    const json::value* logging = root.get_object().if_contains("logging");
    const json::value* level =
        logging && logging->is_object() ? logging->get_object().if_contains("level") : nullptr;
    return level != nullptr && level->is_string();
}

std::string random_uuid_v4() {
    std::random_device rd;
    std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
    const uint64_t a = gen();
    const uint64_t b = gen();
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0x0FFF),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3FFF)),
                  static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
    return buf;
}

// Environment overrides, log level, validation: everything after the file.
void finish(Options& o, const EnvLookup& env, bool level_from_file) {
    Provenance from_env;
    apply_env(env, o, from_env);
    resolve_log_level(env, o, level_from_file);
    validate_options(o, from_env);
    if (o.instance_process_id.empty()) o.instance_process_id = random_uuid_v4();
}

std::optional<std::string> discover(const std::string& working_dir) {
    for (const char* name : {"config/config.toml", "config/config.json"}) {
        const fs::path candidate = fs::path(working_dir) / name;
        std::error_code ec;
        if (fs::exists(candidate, ec)) return candidate.string();
    }
    return std::nullopt;
}

}  // namespace

Options load_options(const LoadRequest& request) {
    Options o = embedded_defaults();
    bool level_from_file = false;
    // An explicit file replaces the discovered one entirely (no merge), as in Sockudo.
    const std::optional<std::string> path =
        request.explicit_path ? request.explicit_path : discover(request.working_dir);
    if (path) {
        level_from_file = apply_document(parse_text(read_file(*path), *path, request.env), o);
        o.source = *path;
    }
    finish(o, request.env, level_from_file);
    return o;
}

Options load_options_from_text(const std::string& text, const std::string& name,
                               const EnvLookup& env) {
    Options o = embedded_defaults();
    const bool level_from_file = apply_document(parse_text(text, name, env), o);
    o.source = name;
    finish(o, env, level_from_file);
    return o;
}

}  // namespace sockudo::config
