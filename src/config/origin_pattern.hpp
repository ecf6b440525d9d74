#pragma once
// Per-app WebSocket origin allow-lists (operations.md §9.7).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockudo::config {

// True when `origin` (the Origin header, "" when absent) matches one of `patterns`.
bool origin_allowed(const std::vector<std::string>& patterns, std::string_view origin);
// Why `pattern` is invalid, or nullopt when it is valid.
std::optional<std::string> origin_pattern_error(std::string_view pattern);

}  // namespace sockudo::config
