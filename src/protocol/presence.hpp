#pragma once
// Presence identity (protocol-v1 §7.3.1) and sign-in user data (§9.1).

#include <string>
#include <string_view>
#include <vector>

namespace sockudo::protocol {

struct PresenceMember {
    std::string user_id;
    std::string user_info_json;  // compact JSON; "{}" when absent or null
};

constexpr size_t kMaxUserIdLength = 128;  // characters (UTF-8 code points), not bytes

enum class ChannelDataError {
    None,
    InvalidJson,
    NotAnObject,
    MissingUserId,
    InvalidUserId,
    UserIdTooLong
};

// `user_id` may be a non-empty string or an integer (rendered in decimal: 10 -> "10", as
// Laravel sends integer ids). Fractional numbers and other types are InvalidUserId.
ChannelDataError parse_channel_data(std::string_view channel_data, PresenceMember& out);

struct UserData {
    std::string id;
    std::string user_info_json;  // "{}" when absent
    std::vector<std::string> watchlist;
};

enum class UserDataError { None, InvalidJson, NotAnObject, MissingId, InvalidId };

// `id` must be a non-empty string; `watchlist` keeps its string entries (the caller caps it).
UserDataError parse_user_data(std::string_view user_data, UserData& out);

}  // namespace sockudo::protocol
