#pragma once
// Log levels as operators write them for Sockudo (RUST_LOG directives, operations.md §9.4).

#include <optional>
#include <string>
#include <string_view>

namespace sockudo::config {

// trace, debug, info, warn, error or off (lower case).
bool is_log_level(std::string_view level);

// The level that governs this server's logs in a RUST_LOG-style directive list
// ("info,sockudo=debug,tower_http=warn"): a sockudo* target's level if one is given, else the
// last bare level. nullopt when the list names no usable level.
std::optional<std::string> level_from_directives(std::string_view directives);

}  // namespace sockudo::config
