#pragma once
// Which events an endpoint receives: its event_types and its channel filters (operations §7.3).

#include <string_view>

#include "config/app.hpp"

namespace sockudo::webhooks {

bool endpoint_wants_type(const config::WebhookTarget& endpoint, std::string_view event_name);
bool endpoint_accepts_channel(const config::WebhookTarget& endpoint, std::string_view channel);

// True when any endpoint of the app lists this type: the cheap check made before an event is
// even built, so apps without webhooks pay nothing.
bool app_wants_type(const config::App& app, std::string_view event_name);

}  // namespace sockudo::webhooks
