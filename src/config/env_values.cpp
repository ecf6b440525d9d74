#include "config/env_values.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace sockudo::config {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<bool> parse_env_bool(std::string_view value) {
    std::string s;
    for (char c : trim(value))
        s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "0" || s == "no" || s == "off") return false;
    return std::nullopt;
}

std::optional<int64_t> parse_env_integer(std::string_view value) {
    const std::string s(trim(value));
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(s.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || errno != 0) return std::nullopt;
    return n;
}

std::vector<std::string> split_env_list(std::string_view value) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string_view::npos) comma = value.size();
        const std::string_view item = trim(value.substr(start, comma - start));
        if (!item.empty()) out.emplace_back(item);
        start = comma + 1;
    }
    return out;
}

std::string quote_env_value(std::string_view value) {
    std::string out = "\"";
    for (char c : value.substr(0, 60))
        out.push_back(std::isprint(static_cast<unsigned char>(c)) ? c : '?');
    if (value.size() > 60) out += "...";
    return out + "\"";
}

}  // namespace sockudo::config
