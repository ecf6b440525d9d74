// Feeds arbitrary bytes through the configuration loader: as a JSON file, as a TOML file, and as
// the value of list/level environment variables. Every input must end in a valid Options or a
// ConfigError, never a crash, a hang or another exception type.
#include <cstdint>
#include <optional>
#include <string>

#include "config/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using sockudo::config::ConfigError;
    using sockudo::config::EnvLookup;
    const std::string text(reinterpret_cast<const char*>(data), size);
    const EnvLookup file_env = [](std::string_view name) -> std::optional<std::string> {
        if (name == "SET") return std::string("value");
        return std::nullopt;
    };
    for (const char* name : {"fuzz.json", "fuzz.toml"}) {
        try {
            auto options = sockudo::config::load_options_from_text(text, name, file_env);
            (void)sockudo::config::print_options(options);
        } catch (const ConfigError&) {
        }
    }
    // The same bytes as environment values, over an empty file.
    const EnvLookup value_env = [&text](std::string_view name) -> std::optional<std::string> {
        for (std::string_view n :
             {"CORS_ORIGINS", "RUST_LOG", "NATS_SERVERS", "ACTIVITY_TIMEOUT", "SSL_HTTP_PORT",
              "DEBUG", "SOCKUDO_DEFAULT_APP_ID", "SOCKUDO_DEFAULT_APP_KEY",
              "SOCKUDO_DEFAULT_APP_SECRET", "SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS",
              "SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS", "REDIS_URL"}) {
            if (name == n) return text;
        }
        return std::nullopt;
    };
    try {
        auto options = sockudo::config::load_options_from_text("{}", "env.json", value_env);
        (void)sockudo::config::print_options(options);
    } catch (const ConfigError&) {
    }
    return 0;
}
