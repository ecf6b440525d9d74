// POST /apps/{id}/events and /batch_events (protocol-v1 §11.3, §11.4).
#include <boost/json.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <optional>

#include "api/http_api.hpp"
#include "api/router.hpp"
#include "protocol/channel_name.hpp"
#include "protocol/server_message.hpp"
#include "protocol/socket_id.hpp"

namespace sockudo::api {

namespace json = boost::json;

namespace {

// Room for a typical request's parsed body; larger ones continue on the heap.
constexpr size_t kBodyBufferBytes = 4096;

struct EventRequest {
    std::string name;
    std::string data;
    std::vector<std::string> channels;
    std::string socket_id;
    std::vector<std::string> info;
};

struct Invalid {
    int status;
    std::string message;
};

std::vector<std::string> split_info(std::string_view info) {
    std::vector<std::string> out;
    while (!info.empty()) {
        size_t comma = info.find(',');
        std::string_view item = info.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        info = comma == std::string_view::npos ? std::string_view() : info.substr(comma + 1);
    }
    return out;
}

bool has(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// Validates one event object; all-or-nothing callers check every event before publishing.
std::optional<Invalid> read_event(const json::value& v, const core::AppRuntime& app,
                                  bool allow_channels_array, EventRequest& out) {
    if (!v.is_object()) return Invalid{400, "An event must be a JSON object"};
    const json::object& o = v.get_object();
    const auto& limits = app.limits();

    auto name = o.find("name");
    if (name == o.end() || !name->value().is_string() || name->value().get_string().empty()) {
        return Invalid{400, "The event name is required"};
    }
    out.name = std::string(name->value().get_string());
    if (limits.max_event_name_length > 0 &&
        out.name.size() > static_cast<size_t>(limits.max_event_name_length)) {
        return Invalid{400, "The event name is longer than " +
                                std::to_string(limits.max_event_name_length) + " characters"};
    }
    if (out.name.rfind("pusher:", 0) == 0 || out.name.rfind("pusher_internal:", 0) == 0) {
        return Invalid{400, "Event names starting with pusher: are reserved"};
    }

    auto data = o.find("data");
    if (data == o.end()) return Invalid{400, "The event data is required"};
    out.data = data->value().is_string() ? std::string(data->value().get_string())
                                         : json::serialize(data->value());
    if (limits.max_event_payload_bytes > 0 &&
        out.data.size() > static_cast<size_t>(limits.max_event_payload_bytes)) {
        return Invalid{413, "The event data is larger than " +
                                std::to_string(limits.max_event_payload_bytes / 1024) + " KB"};
    }

    auto channels = allow_channels_array ? o.find("channels") : o.end();
    if (channels != o.end()) {
        if (!channels->value().is_array()) return Invalid{400, "channels must be a list of names"};
        for (const auto& c : channels->value().get_array()) {
            if (!c.is_string()) return Invalid{400, "channels must be a list of names"};
            std::string channel(c.get_string());
            if (!has(out.channels, channel)) out.channels.push_back(std::move(channel));
        }
    } else if (auto channel = o.find("channel"); channel != o.end()) {
        if (!channel->value().is_string()) return Invalid{400, "channel must be a string"};
        out.channels.emplace_back(channel->value().get_string());
    }
    if (out.channels.empty()) return Invalid{400, "At least one channel is required"};
    if (limits.max_event_channels_at_once > 0 &&
        out.channels.size() > static_cast<size_t>(limits.max_event_channels_at_once)) {
        return Invalid{400, "At most " + std::to_string(limits.max_event_channels_at_once) +
                                " channels per event"};
    }
    size_t max_length = limits.max_channel_name_length > 0
                            ? static_cast<size_t>(limits.max_channel_name_length)
                            : SIZE_MAX;
    for (const auto& channel : out.channels) {
        auto error = protocol::validate_channel_name(channel, max_length);
        if (error == protocol::ChannelNameError::TooLong) {
            return Invalid{400, "Channel name too long: " + channel};
        }
        if (error != protocol::ChannelNameError::None) {
            return Invalid{400, "Invalid channel name: " + channel};
        }
    }

    if (auto socket = o.find("socket_id"); socket != o.end() && !socket->value().is_null()) {
        if (!socket->value().is_string() ||
            !protocol::is_valid_socket_id(socket->value().get_string())) {
            return Invalid{400, "Invalid socket_id"};
        }
        out.socket_id = std::string(socket->value().get_string());
    }
    if (auto info = o.find("info"); info != o.end() && info->value().is_string()) {
        out.info = split_info(info->value().get_string());
    }
    return std::nullopt;
}

// `remote` (the other nodes' socket counts) and `link` are null on a single node.
json::object channel_info(const core::AppRuntime& app, const std::string& channel,
                          const std::vector<std::string>& info, const core::ClusterAnswer* remote,
                          core::ClusterLink* link) {
    json::object attrs;
    if (has(info, "user_count") && protocol::is_presence(protocol::classify_channel(channel))) {
        attrs["user_count"] = user_count(app, link, channel);
    }
    if (has(info, "subscription_count")) {
        uint64_t count = app.channels.subscription_count(channel);
        if (remote != nullptr) {
            if (auto it = remote->channel_counts.find(channel); it != remote->channel_counts.end())
                count += it->second;
        }
        attrs["subscription_count"] = count;
    }
    return attrs;
}

void publish(core::Engine& engine, const core::AppPtr& app, const EventRequest& event) {
    const auto ttl =
        std::chrono::seconds(std::max<int64_t>(1, engine.options().limits.cache_ttl_seconds));
    for (const auto& channel : event.channels) {
        auto frame = transport::make_text_frame(
            protocol::server_message::channel_event(event.name, channel, event.data, nullptr));
        const protocol::ChannelKind kind = protocol::classify_channel(channel);
        if (kind.type == protocol::ChannelType::ServerToUser) {
            engine.send_to_user(app, std::string(protocol::server_to_user_id(channel)), frame);
            continue;
        }
        if (kind.cache) engine.channel_cache().put(app, channel, {event.name, event.data}, ttl);
        engine.publish({app, channel, std::move(frame), event.socket_id});
    }
}

transport::HttpResponse ok_json(const json::value& body) {
    transport::HttpResponse r;
    r.body = json::serialize(body);
    return r;
}

// `storage` outlives the value: a caller's stack buffer for the usual small body, so parsing one
// allocates nothing; what is kept is copied out of it.
std::optional<json::value> parse_body(const std::string& body, json::storage_ptr storage,
                                      transport::HttpResponse& error) {
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 64;
    json::value v = json::parse(body, ec, std::move(storage), options);
    if (ec || !v.is_object()) {
        error = json_error(400, "The request body must be a JSON object");
        return std::nullopt;
    }
    return v;
}

}  // namespace

transport::HttpResponse HttpApi::events(ApiRequest& request) {
    transport::HttpResponse error;
    unsigned char buffer[kBodyBufferBytes];
    json::monotonic_resource resource(buffer, sizeof(buffer));
    auto body = parse_body(request.http.body(), &resource, error);
    if (!body) return error;
    EventRequest event;
    if (auto invalid = read_event(*body, *request.app, true, event)) {
        return json_error(invalid->status, invalid->message);
    }
    if (auto limited =
            over_app_budget(*request.app, false, static_cast<int64_t>(event.channels.size()))) {
        return std::move(*limited);
    }
    publish(engine_, request.app, event);
    if (event.info.empty()) return ok_json(json::object());
    core::ClusterLink* link = engine_.cluster();
    return with_cluster(request, {core::ClusterQuery::ChannelSocketsCount, event.channels, {}},
                        [app = request.app, event, link](const core::ClusterAnswer* remote) {
                            json::object channels;
                            for (const auto& channel : event.channels) {
                                if (protocol::classify_channel(channel).type ==
                                    protocol::ChannelType::ServerToUser) {
                                    continue;
                                }
                                channels[channel] =
                                    channel_info(*app, channel, event.info, remote, link);
                            }
                            return ok_json(json::object{{"channels", std::move(channels)}});
                        });
}

transport::HttpResponse HttpApi::batch_events(ApiRequest& request) {
    transport::HttpResponse error;
    unsigned char buffer[kBodyBufferBytes];
    json::monotonic_resource resource(buffer, sizeof(buffer));
    auto body = parse_body(request.http.body(), &resource, error);
    if (!body) return error;
    auto batch = body->get_object().find("batch");
    if (batch == body->get_object().end() || !batch->value().is_array()) {
        return json_error(400, "batch must be a list of events");
    }
    const json::array& items = batch->value().get_array();
    const int64_t max_batch = request.app->limits().max_event_batch_size;
    if (max_batch > 0 && items.size() > static_cast<size_t>(max_batch)) {
        return json_error(400, "At most " + std::to_string(max_batch) + " events per batch");
    }
    std::vector<EventRequest> events(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        if (auto invalid = read_event(items[i], *request.app, true, events[i])) {
            return json_error(invalid->status,
                              "batch[" + std::to_string(i) + "]: " + invalid->message);
        }
    }
    int64_t cost = 0;
    for (const auto& event : events) cost += static_cast<int64_t>(event.channels.size());
    if (auto limited = over_app_budget(*request.app, false, cost)) return std::move(*limited);
    bool any_info = false;
    for (const auto& event : events) {
        publish(engine_, request.app, event);
        any_info = any_info || !event.info.empty();
    }
    if (!any_info) return ok_json(json::object());
    std::vector<std::string> asked;
    for (const auto& event : events) {
        if (!event.info.empty()) asked.push_back(event.channels.front());
    }
    core::ClusterLink* link = engine_.cluster();
    return with_cluster(
        request, {core::ClusterQuery::ChannelSocketsCount, std::move(asked), {}},
        [app = request.app, events = std::move(events), link](const core::ClusterAnswer* remote) {
            json::array results;
            for (const auto& event : events) {
                results.push_back(event.info.empty() ? json::object()
                                                     : channel_info(*app, event.channels.front(),
                                                                    event.info, remote, link));
            }
            return ok_json(json::object{{"batch", std::move(results)}});
        });
}

}  // namespace sockudo::api
