#include "cluster/cluster_messages.hpp"

#include <array>
#include <boost/json.hpp>
#include <utility>

#include "protocol/json_parse.hpp"

namespace sockudo::cluster {

namespace json = boost::json;

namespace {

constexpr std::array<std::pair<RequestType, const char*>, 12> kTypeNames{{
    {RequestType::ChannelMembers, "ChannelMembers"},
    {RequestType::ChannelSocketsCount, "ChannelSocketsCount"},
    {RequestType::BatchChannelSocketsCount, "BatchChannelSocketsCount"},
    {RequestType::ChannelsWithSocketsCount, "ChannelsWithSocketsCount"},
    {RequestType::TerminateUserConnections, "TerminateUserConnections"},
    {RequestType::PresenceMemberJoined, "PresenceMemberJoined"},
    {RequestType::PresenceMemberLeft, "PresenceMemberLeft"},
    {RequestType::Heartbeat, "Heartbeat"},
    {RequestType::NodeDead, "NodeDead"},
    {RequestType::PresenceStateSync, "PresenceStateSync"},
    {RequestType::ChannelOccupied, "ChannelOccupied"},
    {RequestType::ChannelVacated, "ChannelVacated"},
}};

std::optional<json::object> parse_object(std::string_view text) {
    boost::system::error_code ec;
    json::value v = protocol::parse_json(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    return std::move(v.as_object());
}

// A string field; false when present with another type.
bool read_string(const json::object& o, std::string_view key, std::string& out) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return true;
    if (!it->value().is_string()) return false;
    out = std::string(it->value().get_string());
    return true;
}

bool read_required(const json::object& o, std::string_view key, std::string& out) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() && read_string(o, key, out);
}

uint64_t read_count(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end()) return 0;
    const json::value& v = it->value();
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_int64()) return v.get_int64() > 0 ? static_cast<uint64_t>(v.get_int64()) : 0;
    if (v.is_double()) return v.get_double() > 0 ? static_cast<uint64_t>(v.get_double()) : 0;
    return 0;
}

json::value parsed_or_null(const std::string& text) {
    if (text.empty()) return nullptr;
    boost::system::error_code ec;
    json::value v = protocol::parse_json(text, ec);
    return ec ? json::value(nullptr) : v;
}

json::value optional_string(const std::string& s) {
    return s.empty() ? json::value(nullptr) : json::value(s);
}

std::vector<std::string> read_strings(const json::object& o, std::string_view key) {
    std::vector<std::string> out;
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_array()) return out;
    for (const auto& item : it->value().get_array()) {
        if (item.is_string()) out.emplace_back(item.get_string());
    }
    return out;
}

}  // namespace

const char* request_type_name(RequestType type) {
    for (const auto& [t, name] : kTypeNames) {
        if (t == type) return name;
    }
    return "Heartbeat";
}

std::optional<RequestType> parse_request_type(std::string_view name) {
    for (const auto& [t, n] : kTypeNames) {
        if (name == n) return t;
    }
    return std::nullopt;
}

bool fire_and_forget(RequestType type) {
    switch (type) {
        case RequestType::PresenceMemberJoined:
        case RequestType::PresenceMemberLeft:
        case RequestType::Heartbeat:
        case RequestType::NodeDead:
        case RequestType::PresenceStateSync:
        case RequestType::ChannelOccupied:
        case RequestType::ChannelVacated:
            return true;
        default:
            return false;
    }
}

std::string encode(const BroadcastMessage& m) {
    json::object o{{"node_id", m.node_id},
                   {"app_id", m.app_id},
                   {"channel", m.channel},
                   {"message", m.message},
                   {"except_socket_id", optional_string(m.except_socket_id)}};
    if (m.timestamp_ms > 0) o["timestamp_ms"] = m.timestamp_ms;
    return json::serialize(o);
}

std::string encode(const RequestMessage& m) {
    json::object o{
        {"request_id", m.request_id},
        {"node_id", m.node_id},
        {"app_id", m.app_id},
        {"request_type", request_type_name(m.type)},
        {"channel", optional_string(m.channel)},
        {"socket_id", optional_string(m.socket_id)},
        {"user_id", optional_string(m.user_id)},
        {"user_info", parsed_or_null(m.user_info_json)},
        {"timestamp", m.timestamp == 0 ? json::value(nullptr) : json::value(m.timestamp)},
        {"dead_node_id", optional_string(m.dead_node_id)},
        {"target_node_id", optional_string(m.target_node_id)},
        {"reply_to", optional_string(m.reply_to)}};
    if (!m.channels.empty()) {
        json::array channels;
        for (const auto& c : m.channels) channels.emplace_back(c);
        o["channels"] = std::move(channels);
    } else {
        o["channels"] = nullptr;
    }
    return json::serialize(o);
}

std::string encode(const ResponseMessage& m) {
    json::object members;
    for (const auto& [id, info] : m.members) {
        members[id] = json::object{{"user_id", id}, {"user_info", parsed_or_null(info)}};
    }
    json::object counts;
    for (const auto& [c, n] : m.channels_with_sockets_count) counts[c] = n;
    json::array channels;
    for (const auto& c : m.channels) channels.emplace_back(c);
    // Sockudo writes every field, defaults included.
    json::object o{{"request_id", m.request_id},
                   {"node_id", m.node_id},
                   {"app_id", m.app_id},
                   {"members", std::move(members)},
                   {"channels_with_sockets_count", std::move(counts)},
                   {"socket_ids", json::array()},
                   {"sockets_count", m.sockets_count},
                   {"exists", m.exists},
                   {"channels", std::move(channels)},
                   {"members_count", m.members.size()},
                   {"responses_received", 0},
                   {"expected_responses", 0},
                   {"complete", true}};
    return json::serialize(o);
}

std::optional<BroadcastMessage> decode_broadcast(std::string_view text) {
    auto o = parse_object(text);
    if (!o) return std::nullopt;
    BroadcastMessage m;
    if (!read_required(*o, "node_id", m.node_id) || !read_required(*o, "app_id", m.app_id) ||
        !read_required(*o, "channel", m.channel) || !read_required(*o, "message", m.message) ||
        !read_string(*o, "except_socket_id", m.except_socket_id)) {
        return std::nullopt;
    }
    if (auto it = o->find("timestamp_ms"); it != o->end() && it->value().is_number()) {
        m.timestamp_ms = it->value().to_number<double>();
    }
    return m;
}

std::optional<RequestMessage> decode_request(std::string_view text) {
    auto o = parse_object(text);
    if (!o) return std::nullopt;
    RequestMessage m;
    std::string type;
    if (!read_required(*o, "request_id", m.request_id) ||
        !read_required(*o, "node_id", m.node_id) || !read_required(*o, "app_id", m.app_id) ||
        !read_required(*o, "request_type", type)) {
        return std::nullopt;
    }
    auto parsed = parse_request_type(type);
    if (!parsed) return std::nullopt;
    m.type = *parsed;
    if (!read_string(*o, "channel", m.channel) || !read_string(*o, "socket_id", m.socket_id) ||
        !read_string(*o, "user_id", m.user_id) ||
        !read_string(*o, "dead_node_id", m.dead_node_id) ||
        !read_string(*o, "target_node_id", m.target_node_id) ||
        !read_string(*o, "reply_to", m.reply_to)) {
        return std::nullopt;
    }
    if (auto it = o->find("user_info"); it != o->end() && !it->value().is_null()) {
        m.user_info_json = json::serialize(it->value());
    }
    m.timestamp = read_count(*o, "timestamp");
    m.channels = read_strings(*o, "channels");
    return m;
}

std::optional<ResponseMessage> decode_response(std::string_view text) {
    auto o = parse_object(text);
    if (!o) return std::nullopt;
    ResponseMessage m;
    if (!read_required(*o, "request_id", m.request_id) ||
        !read_required(*o, "node_id", m.node_id) || !read_string(*o, "app_id", m.app_id)) {
        return std::nullopt;
    }
    if (auto it = o->find("members"); it != o->end() && it->value().is_object()) {
        for (const auto& [id, entry] : it->value().get_object()) {
            std::string info = "{}";
            if (entry.is_object()) {
                if (auto ui = entry.get_object().find("user_info");
                    ui != entry.get_object().end() && !ui->value().is_null()) {
                    info = json::serialize(ui->value());
                }
            }
            m.members[std::string(id)] = std::move(info);
        }
    }
    if (auto it = o->find("channels_with_sockets_count");
        it != o->end() && it->value().is_object()) {
        const json::object& counts = it->value().get_object();
        for (const auto& [c, n] : counts)
            m.channels_with_sockets_count[std::string(c)] = read_count(counts, c);
    }
    m.sockets_count = read_count(*o, "sockets_count");
    if (auto it = o->find("exists"); it != o->end() && it->value().is_bool())
        m.exists = it->value().get_bool();
    m.channels = read_strings(*o, "channels");
    return m;
}

}  // namespace sockudo::cluster
