#include "webhooks/job_json.hpp"

#include <boost/json.hpp>

namespace sockudo::webhooks {

namespace json = boost::json;

namespace {

constexpr int64_t kVersion = 1;

json::object event_json(const WebhookEvent& e) {
    json::object o{{"name", e.name}, {"channel", e.channel}};
    if (e.user_id) o["user_id"] = *e.user_id;
    if (e.event) o["event"] = *e.event;
    if (e.data) o["data"] = *e.data;
    if (e.socket_id) o["socket_id"] = *e.socket_id;
    if (e.subscription_count) o["subscription_count"] = *e.subscription_count;
    return o;
}

std::optional<std::string> text(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
}

std::optional<WebhookEvent> event_from(const json::value& v) {
    if (!v.is_object()) return std::nullopt;
    const json::object& o = v.get_object();
    WebhookEvent e;
    auto name = text(o, "name");
    auto channel = text(o, "channel");
    if (!name || !channel) return std::nullopt;
    e.name = std::move(*name);
    e.channel = std::move(*channel);
    e.user_id = text(o, "user_id");
    e.event = text(o, "event");
    e.data = text(o, "data");
    e.socket_id = text(o, "socket_id");
    if (const json::value* c = o.if_contains("subscription_count")) {
        if (c->is_uint64())
            e.subscription_count = c->get_uint64();
        else if (c->is_int64() && c->get_int64() >= 0)
            e.subscription_count = static_cast<uint64_t>(c->get_int64());
        else
            return std::nullopt;
    }
    return e;
}

}  // namespace

std::string job_to_json(const WebhookJob& job) {
    json::array events;
    for (const auto& e : job.events) events.emplace_back(event_json(e));
    json::object o{{"v", kVersion},
                   {"app_id", job.app ? job.app->id : std::string()},
                   {"time_ms", job.time_ms},
                   {"events", std::move(events)}};
    return json::serialize(o);
}

std::optional<StoredJob> job_from_json(std::string_view text_in) {
    boost::system::error_code ec;
    json::value v = json::parse(text_in, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const json::object& o = v.get_object();
    const json::value* version = o.if_contains("v");
    const json::value* time = o.if_contains("time_ms");
    const json::value* events = o.if_contains("events");
    if (!version || !version->is_int64() || version->get_int64() != kVersion) return std::nullopt;
    if (!time || !time->is_int64() || !events || !events->is_array()) return std::nullopt;
    StoredJob job;
    auto app_id = text(o, "app_id");
    if (!app_id || app_id->empty()) return std::nullopt;
    job.app_id = std::move(*app_id);
    job.time_ms = time->get_int64();
    for (const json::value& e : events->get_array()) {
        auto event = event_from(e);
        if (!event) return std::nullopt;
        job.events.push_back(std::move(*event));
    }
    return job;
}

}  // namespace sockudo::webhooks
