#pragma once
// Applying a parsed config file (Sockudo key names, operations.md §1.3–§1.4) to Options.

#include "config/key_reader.hpp"
#include "config/options.hpp"

namespace sockudo::config {

// Reads every key this server supports from `root` into `options`; values that cannot be used
// throw ConfigError naming the key path. Range checks that also apply to environment values
// are left to validate_options().
void apply_file(Section root, Options& options);

}  // namespace sockudo::config
