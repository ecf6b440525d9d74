#pragma once
// Start-up validation of the effective configuration (operations.md §1.8, plus the ranges every
// value must be in): a value that cannot work stops start-up, named by key path, value and the
// environment variable that set it, if one did.

#include "config/env_options.hpp"
#include "config/options.hpp"

namespace sockudo::config {

// Throws ConfigError on the first invalid value; adds warnings for suspicious combinations.
void validate_options(Options& options, const Provenance& from_env);

}  // namespace sockudo::config
