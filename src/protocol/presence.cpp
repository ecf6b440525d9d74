#include "protocol/presence.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sockudo::protocol {

namespace json = boost::json;

namespace {

bool parse_object(std::string_view text, json::value& out) {
    json::parse_options options;
    options.max_depth = 64;
    boost::system::error_code ec;
    out = json::parse(text, ec, json::storage_ptr(), options);
    return !ec;
}

std::string info_json(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return "{}";
    return json::serialize(it->value());
}

}  // namespace

ChannelDataError parse_channel_data(std::string_view channel_data, PresenceMember& out) {
    json::value root;
    if (!parse_object(channel_data, root)) return ChannelDataError::InvalidJson;
    if (!root.is_object()) return ChannelDataError::NotAnObject;
    const json::object& o = root.get_object();
    auto it = o.find("user_id");
    if (it == o.end()) return ChannelDataError::MissingUserId;
    const json::value& id = it->value();
    if (id.is_string()) {
        out.user_id.assign(id.get_string().data(), id.get_string().size());
    } else if (id.is_int64()) {
        out.user_id = std::to_string(id.get_int64());
    } else if (id.is_uint64()) {
        out.user_id = std::to_string(id.get_uint64());
    } else {
        return ChannelDataError::InvalidUserId;
    }
    if (out.user_id.empty()) return ChannelDataError::InvalidUserId;
    if (out.user_id.size() > kMaxUserIdLength) return ChannelDataError::UserIdTooLong;
    out.user_info_json = info_json(o, "user_info");
    return ChannelDataError::None;
}

UserDataError parse_user_data(std::string_view user_data, UserData& out) {
    json::value root;
    if (!parse_object(user_data, root)) return UserDataError::InvalidJson;
    if (!root.is_object()) return UserDataError::NotAnObject;
    const json::object& o = root.get_object();
    auto it = o.find("id");
    if (it == o.end()) return UserDataError::MissingId;
    if (!it->value().is_string() || it->value().get_string().empty()) return UserDataError::InvalidId;
    out.id.assign(it->value().get_string().data(), it->value().get_string().size());
    out.user_info_json = info_json(o, "user_info");
    out.watchlist.clear();
    auto w = o.find("watchlist");
    if (w != o.end() && w->value().is_array()) {
        for (const auto& entry : w->value().get_array()) {
            if (entry.is_string()) out.watchlist.emplace_back(entry.get_string().data(), entry.get_string().size());
        }
    }
    return UserDataError::None;
}

}  // namespace sockudo::protocol
