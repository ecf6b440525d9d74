#pragma once
// Environment overrides (operations.md §1.5) and the env-defined default app (§1.6).

#include "config/load.hpp"
#include "config/options.hpp"

namespace sockudo::config {

void apply_env(const EnvLookup& env, Options& options);

}  // namespace sockudo::config
