#pragma once
// Helpers shared by the configuration tests: a fake environment, loading from text, temp dirs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "config/load.hpp"

namespace sockudo::config::test {

using Env = std::map<std::string, std::string>;

inline EnvLookup env_of(Env vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

inline Options from_json(const std::string& text, Env env = {}) {
    return load_options_from_text(text, "test.json", env_of(std::move(env)));
}

inline Options from_toml(const std::string& text, Env env = {}) {
    return load_options_from_text(text, "test.toml", env_of(std::move(env)));
}

// The ConfigError message for loading `text` as JSON, or "" when it loads.
inline std::string error_of(const std::string& text, Env env = {}) {
    try {
        from_json(text, std::move(env));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

inline bool has_warning(const Options& o, const std::string& needle) {
    for (const auto& w : o.warnings) {
        if (w.find(needle) != std::string::npos) return true;
    }
    return false;
}

inline std::string all_warnings(const Options& o) {
    std::string out;
    for (const auto& w : o.warnings) out += w + "\n";
    return out;
}

// One app record (JSON) wrapped in a whole config file.
inline std::string with_app(const std::string& app_json) {
    return R"({"app_manager": {"array": {"apps": [)" + app_json + "]}}}";
}

class TempDir {
public:
    TempDir()
        : path_(
              std::filesystem::temp_directory_path() /
              ("sockudo-config-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))) {
        std::filesystem::create_directories(path_ / "config");
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return (path_ / name).string();
    }
    std::string path() const { return path_.string(); }

private:
    static inline int counter_ = 0;
    std::filesystem::path path_;
};

}  // namespace sockudo::config::test
