#include "webhooks/webhook_event.hpp"

#include "protocol/json_text.hpp"

namespace sockudo::webhooks {

namespace {

void append_field(std::string& out, const char* name, const std::string& value) {
    out += ",\"";
    out += name;
    out += "\":";
    protocol::append_json_string(out, value);
}

}  // namespace

void append_event_json(std::string& out, const WebhookEvent& e) {
    out += "{\"name\":";
    protocol::append_json_string(out, e.name);
    append_field(out, "channel", e.channel);
    if (e.event) append_field(out, "event", *e.event);
    if (e.data) append_field(out, "data", *e.data);
    if (e.socket_id) append_field(out, "socket_id", *e.socket_id);
    if (e.user_id) append_field(out, "user_id", *e.user_id);
    if (e.subscription_count) {
        out += ",\"subscription_count\":";
        out += std::to_string(*e.subscription_count);
    }
    out.push_back('}');
}

}  // namespace sockudo::webhooks
