// Feeds arbitrary text through the configuration loader as JSON and as TOML: every input must
// end in a valid Options or a ConfigError, never a crash or another exception type.
#include <cstdint>
#include <optional>
#include <string>

#include "config/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const sockudo::config::EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
        if (name == "SET") return std::string("value");
        return std::nullopt;
    };
    for (const char* name : {"fuzz.json", "fuzz.toml"}) {
        try {
            auto options = sockudo::config::load_options_from_text(text, name, env);
            (void)sockudo::config::print_options(options);
        } catch (const sockudo::config::ConfigError&) {
        }
    }
    return 0;
}
