#include "webhooks/endpoint_filter.hpp"

#include <algorithm>

namespace sockudo::webhooks {

bool endpoint_wants_type(const config::WebhookTarget& endpoint, std::string_view event_name) {
    return std::any_of(endpoint.event_types.begin(), endpoint.event_types.end(),
                       [&](const std::string& t) { return t == event_name; });
}

bool endpoint_accepts_channel(const config::WebhookTarget& endpoint, std::string_view channel) {
    if (endpoint.filter_prefix && !channel.starts_with(*endpoint.filter_prefix)) return false;
    if (endpoint.filter_suffix && !channel.ends_with(*endpoint.filter_suffix)) return false;
    return true;
}

bool app_wants_type(const config::App& app, std::string_view event_name) {
    return std::any_of(app.webhooks.begin(), app.webhooks.end(), [&](const config::WebhookTarget& w) {
        return !w.url.empty() && endpoint_wants_type(w, event_name);
    });
}

}  // namespace sockudo::webhooks
