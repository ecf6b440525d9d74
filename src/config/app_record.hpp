#pragma once
// One app record from a config file (operations.md §1.7): Sockudo's nested `policy` form or the
// legacy flat form, with its webhook endpoints (§7.1).

#include <boost/json/object.hpp>

#include "config/app.hpp"
#include "config/key_reader.hpp"

namespace sockudo::config {

// Throws ConfigError naming the key path (app_manager.array.apps[i]...) of a bad value.
App read_app(Section app_section);

// Throws ConfigError naming `key` when one of `patterns` is not a valid origin pattern (§9.7).
void check_origin_patterns(const std::string& key, const std::vector<std::string>& patterns);

// The record's `policy` object in Sockudo's nested form (limits, features, channels, webhooks),
// with nothing redacted: what an app store writes and read_app() reads back.
boost::json::object app_policy_json(const App& app);

}  // namespace sockudo::config
