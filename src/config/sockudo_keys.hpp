#pragma once
// Sockudo configuration keys this server accepts but does not act on (operations.md §1.3–§1.7).
// Used to tell an operator "not supported by this server" rather than "unknown key" (a typo).

#include <string>
#include <vector>

namespace sockudo::config {

// `path` with every array index written as [] (app_manager.array.apps[2].id -> apps[].id).
std::string normalize_key_path(const std::string& path);

// Whether Sockudo has the key at `path` (normalized) although this server ignores it.
bool sockudo_only_key(const std::string& normalized_path);

// The Sockudo-only child keys of `normalized_section` ("" for the top level).
const std::vector<std::string>& sockudo_only_keys_under(const std::string& normalized_section);

}  // namespace sockudo::config
