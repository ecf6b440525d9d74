#include "config/origin_pattern.hpp"

#include <algorithm>
#include <cctype>

namespace sockudo::config {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// "https://a.b:8080/x" -> "a.b:8080"
std::string_view host_part(std::string_view origin) {
    size_t scheme = origin.find("://");
    std::string_view rest = scheme == std::string_view::npos ? origin : origin.substr(scheme + 3);
    size_t slash = rest.find('/');
    return slash == std::string_view::npos ? rest : rest.substr(0, slash);
}

std::string_view without_port(std::string_view host) {
    size_t colon = host.rfind(':');
    return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool matches(std::string_view pattern, std::string_view origin) {
    if (pattern == "*" || pattern == "any") return true;
    if (pattern == origin) return true;
    const bool has_scheme = pattern.find("://") != std::string_view::npos;
    size_t star = pattern.find('*');
    if (star == std::string_view::npos) {
        return !has_scheme && pattern == host_part(origin);
    }
    if (!has_scheme && pattern.substr(0, 2) == "*.") {
        std::string_view domain = pattern.substr(2);
        std::string_view host = without_port(host_part(origin));
        if (host == domain) return true;
        return host.size() > domain.size() + 1 &&
               host.substr(host.size() - domain.size()) == domain &&
               host[host.size() - domain.size() - 1] == '.';
    }
    std::string_view prefix = pattern.substr(0, star);
    std::string_view suffix = pattern.substr(star + 1);
    return origin.size() >= prefix.size() + suffix.size() &&
           origin.substr(0, prefix.size()) == prefix &&
           origin.substr(origin.size() - suffix.size()) == suffix;
}

}  // namespace

bool origin_allowed(const std::vector<std::string>& patterns, std::string_view origin) {
    if (patterns.empty()) return true;
    std::string o = lower(origin);
    for (const auto& p : patterns) {
        if (matches(lower(p), o)) return true;
    }
    return false;
}

std::optional<std::string> origin_pattern_error(std::string_view pattern) {
    if (pattern.empty()) return "an origin pattern must not be empty";
    if (std::count(pattern.begin(), pattern.end(), '*') > 1) return "at most one '*' is allowed";
    if (pattern == "*" || pattern == "any") return std::nullopt;
    if (pattern.substr(0, 2) == "*." && pattern.size() <= 2) return "'*.' needs a domain";
    size_t scheme = pattern.find("://");
    if (scheme != std::string_view::npos && (scheme == 0 || scheme + 3 >= pattern.size())) {
        return "a pattern with '://' needs a scheme and a host";
    }
    return std::nullopt;
}

}  // namespace sockudo::config
