#include "webhooks/endpoint_filter.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <string>

namespace sockudo::webhooks {

bool endpoint_wants_type(const config::WebhookTarget& endpoint, std::string_view event_name) {
    return std::any_of(endpoint.event_types.begin(), endpoint.event_types.end(),
                       [&](const std::string& t) { return t == event_name; });
}

namespace {

// The namespace of a channel: the text before the first ':' once the type prefix is removed.
std::string_view channel_namespace(std::string_view channel) {
    for (std::string_view prefix : {"private-encrypted-", "presence-", "private-"}) {
        if (channel.starts_with(prefix)) {
            channel.remove_prefix(prefix.size());
            break;
        }
    }
    const size_t colon = channel.find(':');
    return colon == std::string_view::npos ? std::string_view() : channel.substr(0, colon);
}

// Patterns are compiled once per thread; an invalid pattern matches nothing.
bool pattern_matches(const std::string& pattern, std::string_view channel) {
    thread_local std::map<std::string, std::optional<std::regex>> compiled;
    auto it = compiled.find(pattern);
    if (it == compiled.end()) {
        std::optional<std::regex> re;
        try {
            re.emplace(pattern, std::regex::ECMAScript);
        } catch (const std::regex_error&) {
        }
        it = compiled.emplace(pattern, std::move(re)).first;
    }
    return it->second && std::regex_search(channel.begin(), channel.end(), *it->second);
}

}  // namespace

bool endpoint_accepts_channel(const config::WebhookTarget& endpoint, std::string_view channel) {
    if (endpoint.filter_prefix && !channel.starts_with(*endpoint.filter_prefix)) return false;
    if (endpoint.filter_suffix && !channel.ends_with(*endpoint.filter_suffix)) return false;
    if (endpoint.filter_pattern && !pattern_matches(*endpoint.filter_pattern, channel))
        return false;
    if (!endpoint.filter_namespaces.empty()) {
        const std::string_view ns = channel_namespace(channel);
        if (std::none_of(endpoint.filter_namespaces.begin(), endpoint.filter_namespaces.end(),
                         [&](const std::string& n) { return n == ns; })) {
            return false;
        }
    }
    return true;
}

bool app_wants_type(const config::App& app, std::string_view event_name) {
    return std::any_of(app.webhooks.begin(), app.webhooks.end(),
                       [&](const config::WebhookTarget& w) {
                           return !w.url.empty() && endpoint_wants_type(w, event_name);
                       });
}

}  // namespace sockudo::webhooks
