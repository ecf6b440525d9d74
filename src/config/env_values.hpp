#pragma once
// Parsing of single environment values (operations.md §1.2).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockudo::config {

// true|1|yes|on and false|0|no|off, case-insensitive; nullopt for anything else.
std::optional<bool> parse_env_bool(std::string_view value);
// A decimal integer, surrounding blanks allowed; nullopt when it does not parse or overflows.
std::optional<int64_t> parse_env_integer(std::string_view value);
// Comma-separated items, each trimmed; empty items dropped.
std::vector<std::string> split_env_list(std::string_view value);
// The value as it may appear in a warning (quoted, shortened).
std::string quote_env_value(std::string_view value);

}  // namespace sockudo::config
