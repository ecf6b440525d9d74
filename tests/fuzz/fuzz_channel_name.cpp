// Classifies and validates arbitrary bytes as a channel name and checks the rules agree.
#include <boost/json/parse.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/channel_name.hpp"
#include "protocol/server_message.hpp"
#include "protocol/wire_names.hpp"

namespace {

bool allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '=' || c == '@' || c == ',' || c == '.' || c == ';';
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sockudo::protocol;
    const std::string_view name(reinterpret_cast<const char*>(data), size);

    const ChannelKind kind = classify_channel(name);
    const std::string_view user_id = server_to_user_id(name);
    if ((kind.type == ChannelType::ServerToUser) != starts_with(name, wire::kServerToUserPrefix)) {
        __builtin_trap();
    }
    if (kind.type != ChannelType::ServerToUser && !user_id.empty()) __builtin_trap();
    if (kind.type == ChannelType::Encrypted && client_events_allowed(kind)) __builtin_trap();
    if (is_presence(kind) && !requires_auth(kind)) __builtin_trap();

    for (size_t max : {size_t{0}, size_t{1}, size_t{164}, size_t{200}, size > 0 ? size - 1 : 0}) {
        const ChannelNameError error = validate_channel_name(name, max);
        if (name.empty() != (error == ChannelNameError::Empty)) __builtin_trap();
        if (error == ChannelNameError::TooLong && name.size() <= max) __builtin_trap();
        if (error != ChannelNameError::None) continue;
        if (name.size() > max) __builtin_trap();
        // A valid name is the allowed characters, or exactly one server-to-user prefix
        // followed by a non-empty id of allowed characters.
        std::string_view rest = name;
        if (kind.type == ChannelType::ServerToUser) {
            rest = user_id;
            if (rest.empty()) __builtin_trap();
        }
        for (char c : rest) {
            if (!allowed(c)) __builtin_trap();
        }
        // Valid names are echoed in frames; they must stay valid JSON.
        boost::system::error_code ec;
        boost::json::parse(server_message::subscription_succeeded(name), ec);
        if (ec) __builtin_trap();
    }
    return 0;
}
