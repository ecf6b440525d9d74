#include "protocol/server_message.hpp"

#include "protocol/json_text.hpp"

namespace sockudo::protocol::server_message {

namespace {

// {"event":<event>[,"channel":<channel>],"data":<data_json>} where data_json is raw JSON.
std::string envelope(std::string_view event, const std::string_view* channel,
                     std::string_view data_json) {
    std::string out;
    out.reserve(32 + event.size() + (channel ? channel->size() : 0) + data_json.size());
    out.append("{\"event\":");
    append_json_string(out, event);
    if (channel != nullptr) {
        out.append(",\"channel\":");
        append_json_string(out, *channel);
    }
    out.append(",\"data\":");
    out.append(data_json);
    out.push_back('}');
    return out;
}

std::string error_object(std::optional<int> code, std::string_view message) {
    std::string data = "{\"code\":";
    data.append(code ? std::to_string(*code) : "null");
    data.append(",\"message\":");
    append_json_string(data, message);
    data.push_back('}');
    return data;
}

}  // namespace

std::string connection_established(std::string_view socket_id, uint64_t activity_timeout_s) {
    std::string inner = "{\"socket_id\":";
    append_json_string(inner, socket_id);
    inner.append(",\"activity_timeout\":");
    inner.append(std::to_string(activity_timeout_s));
    inner.push_back('}');
    return envelope("pusher:connection_established", nullptr, json_string(inner));
}

std::string error(std::optional<int> code, std::string_view message) {
    return envelope("pusher:error", nullptr, error_object(code, message));
}

std::string channel_error(std::string_view channel, std::optional<int> code,
                          std::string_view message) {
    return envelope("pusher:error", &channel, error_object(code, message));
}

std::string ping() {
    return R"({"event":"pusher:ping","data":"{}"})";
}

std::string pong() {
    return R"({"event":"pusher:pong","data":"{}"})";
}

std::string subscription_succeeded(std::string_view channel) {
    return envelope("pusher_internal:subscription_succeeded", &channel, "\"{}\"");
}

std::string presence_subscription_succeeded(std::string_view channel,
                                            const std::vector<const PresenceMember*>& members) {
    std::string inner = "{\"presence\":{\"ids\":[";
    for (size_t i = 0; i < members.size(); ++i) {
        if (i > 0) inner.push_back(',');
        append_json_string(inner, members[i]->user_id);
    }
    inner.append("],\"hash\":{");
    for (size_t i = 0; i < members.size(); ++i) {
        if (i > 0) inner.push_back(',');
        append_json_string(inner, members[i]->user_id);
        inner.push_back(':');
        const std::string& info = members[i]->user_info_json;
        inner.append(info.empty() ? std::string_view("{}") : std::string_view(info));
    }
    inner.append("},\"count\":");
    inner.append(std::to_string(members.size()));
    inner.append("}}");
    return envelope("pusher_internal:subscription_succeeded", &channel, json_string(inner));
}

std::string subscription_error(std::string_view channel, std::string_view type,
                               std::string_view error_text, int status) {
    std::string inner = "{\"type\":";
    append_json_string(inner, type);
    inner.append(",\"error\":");
    append_json_string(inner, error_text);
    inner.append(",\"status\":");
    inner.append(std::to_string(status));
    inner.push_back('}');
    return envelope("pusher:subscription_error", &channel, json_string(inner));
}

std::string member_added(std::string_view channel, std::string_view user_id,
                         std::string_view user_info_json) {
    std::string inner = "{\"user_id\":";
    append_json_string(inner, user_id);
    inner.append(",\"user_info\":");
    inner.append(user_info_json.empty() ? std::string_view("{}") : user_info_json);
    inner.push_back('}');
    return envelope("pusher_internal:member_added", &channel, json_string(inner));
}

std::string member_removed(std::string_view channel, std::string_view user_id) {
    std::string inner = "{\"user_id\":";
    append_json_string(inner, user_id);
    inner.push_back('}');
    return envelope("pusher_internal:member_removed", &channel, json_string(inner));
}

std::string channel_event(std::string_view event, std::string_view channel, std::string_view data,
                          const std::string* user_id) {
    std::string out;
    out.reserve(48 + event.size() + channel.size() + data.size() * 11 / 10);
    out.append("{\"event\":");
    append_json_string(out, event);
    out.append(",\"channel\":");
    append_json_string(out, channel);
    out.append(",\"data\":");
    append_json_string(out, data);
    if (user_id != nullptr) {
        out.append(",\"user_id\":");
        append_json_string(out, *user_id);
    }
    out.push_back('}');
    return out;
}

std::string cache_miss(std::string_view channel) {
    std::string out = "{\"event\":\"pusher:cache_miss\",\"channel\":";
    append_json_string(out, channel);
    out.push_back('}');
    return out;
}

std::string signin_success(std::string_view user_data) {
    std::string data = "{\"user_data\":";
    append_json_string(data, user_data);
    data.push_back('}');
    return envelope("pusher:signin_success", nullptr, data);
}

std::string watchlist_events(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& events) {
    std::string inner = "{\"events\":[";
    for (size_t i = 0; i < events.size(); ++i) {
        if (i > 0) inner.push_back(',');
        inner.append("{\"name\":");
        append_json_string(inner, events[i].first);
        inner.append(",\"user_ids\":[");
        for (size_t j = 0; j < events[i].second.size(); ++j) {
            if (j > 0) inner.push_back(',');
            append_json_string(inner, events[i].second[j]);
        }
        inner.append("]}");
    }
    inner.append("]}");
    return envelope("pusher_internal:watchlist_events", nullptr, json_string(inner));
}

std::string subscription_count(std::string_view channel, uint64_t count) {
    std::string inner = "{\"subscription_count\":" + std::to_string(count) + "}";
    return envelope("pusher_internal:subscription_count", &channel, json_string(inner));
}

}  // namespace sockudo::protocol::server_message
