#pragma once
// One webhook event object (protocol-v1 §12.3) and its exact JSON form.

#include <cstdint>
#include <optional>
#include <string>

namespace sockudo::webhooks {

namespace event_name {
inline constexpr const char* kChannelOccupied = "channel_occupied";
inline constexpr const char* kChannelVacated = "channel_vacated";
inline constexpr const char* kMemberAdded = "member_added";
inline constexpr const char* kMemberRemoved = "member_removed";
inline constexpr const char* kClientEvent = "client_event";
inline constexpr const char* kCacheMiss = "cache_miss";
inline constexpr const char* kSubscriptionCount = "subscription_count";
}  // namespace event_name

struct WebhookEvent {
    std::string name;
    std::string channel;
    std::optional<std::string> user_id;    // member_* and client_event on presence channels
    std::optional<std::string> event;      // client_event
    std::optional<std::string> data;       // client_event
    std::optional<std::string> socket_id;  // client_event
    std::optional<uint64_t> subscription_count;
};

// Appends the event object, fields in the order receivers see in Pusher's documentation.
void append_event_json(std::string& out, const WebhookEvent& event);

// {"time_ms":T,"events":[...]} over the given events.
template <typename Range>
std::string request_body(int64_t time_ms, const Range& events) {
    std::string body = "{\"time_ms\":" + std::to_string(time_ms) + ",\"events\":[";
    bool first = true;
    for (const WebhookEvent* e : events) {
        if (!first) body.push_back(',');
        first = false;
        append_event_json(body, *e);
    }
    body += "]}";
    return body;
}

}  // namespace sockudo::webhooks
