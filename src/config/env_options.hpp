#pragma once
// Environment overrides (operations.md §1.2, §1.5), applied over the file.

#include <map>
#include <string>

#include "config/load.hpp"
#include "config/options.hpp"

namespace sockudo::config {

// Which environment variable set a key (key path -> variable), so that a later validation
// error can name the variable the operator actually wrote.
using Provenance = std::map<std::string, std::string>;

// Values that do not parse (numbers, booleans, ports) are ignored with a warning, as in
// Sockudo; unknown driver names and a partial default app are fatal (ConfigError).
void apply_env(const EnvLookup& env, Options& options, Provenance& from_env);

// SOCKUDO_DEFAULT_APP_* and the inline-app switches (§1.6).
void apply_default_app_env(const EnvLookup& env, Options& options);

// Resolves options.logging.level (§9.4); `level_from_file` when logging.level was in the file.
void resolve_log_level(const EnvLookup& env, Options& options, bool level_from_file);

}  // namespace sockudo::config
