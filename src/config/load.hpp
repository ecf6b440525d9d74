#pragma once
// Loading the effective configuration: compiled defaults < config file < environment.

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "config/options.hpp"

namespace sockudo::config {

// A fatal configuration problem; the message names the key path and the bad value.
struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup process_env();

struct LoadRequest {
    std::optional<std::string> explicit_path;  // --config PATH
    std::string working_dir = ".";             // where config/config.{toml,json} is discovered
    EnvLookup env = process_env();
};

// Embedded defaults < one config file (--config, else config/config.{toml,json} in working_dir)
// < environment (operations.md §1.1), validated. Throws ConfigError on anything that cannot be
// used; non-fatal findings (unknown keys, ignored env values) are in Options::warnings.
Options load_options(const LoadRequest& request);
// The same from config text (JSON, or TOML when `name` ends in .toml), without discovery.
Options load_options_from_text(const std::string& text, const std::string& name,
                               const EnvLookup& env);
// The effective configuration as indented JSON in the config file layout, secrets "<redacted>".
std::string print_options(const Options& options);

}  // namespace sockudo::config
