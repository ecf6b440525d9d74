#include "config/log_level.hpp"

#include <algorithm>
#include <cctype>

namespace sockudo::config {

namespace {

std::string trimmed_lower(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

bool is_log_level(std::string_view level) {
    for (std::string_view known : {"trace", "debug", "info", "warn", "error", "off"}) {
        if (level == known) return true;
    }
    return false;
}

std::optional<std::string> level_from_directives(std::string_view directives) {
    std::optional<std::string> global;
    std::optional<std::string> ours;
    size_t start = 0;
    while (start <= directives.size()) {
        size_t comma = directives.find(',', start);
        if (comma == std::string_view::npos) comma = directives.size();
        const std::string directive = trimmed_lower(directives.substr(start, comma - start));
        start = comma + 1;
        const size_t eq = directive.find('=');
        if (eq == std::string::npos) {
            if (is_log_level(directive)) global = directive;
            continue;
        }
        const std::string target = directive.substr(0, eq);
        const std::string level = directive.substr(eq + 1);
        if (target.rfind("sockudo", 0) == 0 && is_log_level(level)) ours = level;
    }
    return ours ? ours : global;
}

}  // namespace sockudo::config
