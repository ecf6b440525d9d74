// Parses arbitrary bytes as presence channel_data and as sign-in user_data, then builds the
// presence frames a member's identity ends up in.
#include <boost/json/parse.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/presence.hpp"
#include "protocol/server_message.hpp"
#include "protocol/utf8.hpp"

namespace {

namespace json = boost::json;

// Output nests deeper than input (the presence envelope adds levels), so checks allow more
// than the server's own limit of 64.
json::parse_options deep() {
    json::parse_options options;
    options.max_depth = 256;
    return options;
}

// The object inside a frame's string `data`, which Java and Swift clients decode; traps when
// the frame or its payload is not JSON.
json::value inner_data(const std::string& frame) {
    boost::system::error_code ec;
    json::value v = json::parse(frame, ec, json::storage_ptr(), deep());
    if (ec || !v.is_object()) __builtin_trap();
    const json::value* data = v.get_object().if_contains("data");
    if (data == nullptr || !data->is_string()) __builtin_trap();
    json::value inner =
        json::parse(std::string_view(data->get_string()), ec, json::storage_ptr(), deep());
    if (ec || !inner.is_object()) __builtin_trap();
    return inner;
}

size_t characters(std::string_view s) {
    size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sockudo::protocol;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    PresenceMember member;
    if (parse_channel_data(text, member) == ChannelDataError::None) {
        if (member.user_id.empty() || characters(member.user_id) > kMaxUserIdLength) {
            __builtin_trap();
        }
        if (!is_valid_utf8(member.user_id)) __builtin_trap();
        boost::system::error_code ec;
        json::parse(member.user_info_json, ec, json::storage_ptr(), deep());
        if (ec) __builtin_trap();

        PresenceMember other{"other", "{}"};
        json::value joined = inner_data(
            server_message::presence_subscription_succeeded("presence-x", {&other, &member}));
        const json::value* presence = joined.get_object().if_contains("presence");
        if (presence == nullptr || !presence->is_object()) __builtin_trap();
        const json::value* ids = presence->get_object().if_contains("ids");
        if (ids == nullptr || !ids->is_array() || ids->get_array().size() != 2) __builtin_trap();
        const json::value& id = ids->get_array()[1];
        if (!id.is_string() || std::string_view(id.get_string()) != member.user_id)
            __builtin_trap();

        json::value added = inner_data(
            server_message::member_added("presence-x", member.user_id, member.user_info_json));
        const json::value* added_id = added.get_object().if_contains("user_id");
        if (added_id == nullptr || !added_id->is_string()) __builtin_trap();
        inner_data(server_message::member_removed("presence-x", member.user_id));
    }

    UserData user;
    if (parse_user_data(text, user) == UserDataError::None) {
        if (user.id.empty() || !is_valid_utf8(user.id)) __builtin_trap();
        boost::system::error_code ec;
        json::parse(user.user_info_json, ec, json::storage_ptr(), deep());
        if (ec) __builtin_trap();
        std::vector<std::pair<std::string, std::vector<std::string>>> events = {
            {"online", user.watchlist}};
        inner_data(server_message::watchlist_events(events));
    }
    return 0;
}
