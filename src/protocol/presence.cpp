#include "protocol/presence.hpp"

#include "protocol/json_parse.hpp"
#include "protocol/json_text.hpp"

namespace sockudo::protocol {

namespace json = boost::json;

namespace {

bool parse_object(std::string_view text, json::value& out) {
    boost::system::error_code ec;
    out = parse_json(text, ec);
    return !ec;
}

std::string info_json(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return "{}";
    return to_json_text(it->value());
}

// Characters, not bytes (§7.3.3): the parser has already checked the text is valid UTF-8, so
// every byte that is not a continuation byte starts one character.
size_t character_count(std::string_view s) {
    size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
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
    if (character_count(out.user_id) > kMaxUserIdLength) return ChannelDataError::UserIdTooLong;
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
    if (!it->value().is_string() || it->value().get_string().empty())
        return UserDataError::InvalidId;
    out.id.assign(it->value().get_string().data(), it->value().get_string().size());
    out.user_info_json = info_json(o, "user_info");
    out.watchlist.clear();
    auto w = o.find("watchlist");
    if (w != o.end() && w->value().is_array()) {
        for (const auto& entry : w->value().get_array()) {
            if (entry.is_string())
                out.watchlist.emplace_back(entry.get_string().data(), entry.get_string().size());
        }
    }
    return UserDataError::None;
}

}  // namespace sockudo::protocol
