#include "protocol/channel_name.hpp"

#include <array>

#include "protocol/wire_names.hpp"

namespace sockudo::protocol {

namespace {

constexpr std::array<bool, 256> make_allowed() {
    std::array<bool, 256> t{};
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<size_t>(c)] = true;
    for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = true;
    for (char c : {'_', '-', '=', '@', ',', '.', ';'}) t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr std::array<bool, 256> kAllowed = make_allowed();

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool valid_chars(std::string_view s) {
    for (char c : s) {
        if (!kAllowed[static_cast<unsigned char>(c)]) return false;
    }
    return true;
}

}  // namespace

ChannelKind classify_channel(std::string_view name) {
    ChannelKind kind;
    if (starts_with(name, wire::kPrivateEncryptedPrefix)) {
        kind.type = ChannelType::Encrypted;
    } else if (starts_with(name, wire::kPrivatePrefix)) {
        kind.type = ChannelType::Private;
    } else if (starts_with(name, wire::kPresencePrefix)) {
        kind.type = ChannelType::Presence;
    } else if (starts_with(name, wire::kServerToUserPrefix)) {
        kind.type = ChannelType::ServerToUser;
    }
    kind.cache = starts_with(name, "cache-") || starts_with(name, "private-cache-") ||
                 starts_with(name, "private-encrypted-cache-") ||
                 starts_with(name, "presence-cache-");
    return kind;
}

ChannelNameError validate_channel_name(std::string_view name, size_t max_length) {
    if (name.empty()) return ChannelNameError::Empty;
    if (name.size() > max_length) return ChannelNameError::TooLong;
    if (starts_with(name, wire::kServerToUserPrefix)) {
        std::string_view id = name.substr(wire::kServerToUserPrefix.size());
        return !id.empty() && valid_chars(id) ? ChannelNameError::None
                                              : ChannelNameError::InvalidCharacters;
    }
    return valid_chars(name) ? ChannelNameError::None : ChannelNameError::InvalidCharacters;
}

std::string_view server_to_user_id(std::string_view channel) {
    if (!starts_with(channel, wire::kServerToUserPrefix)) return {};
    return channel.substr(wire::kServerToUserPrefix.size());
}

}  // namespace sockudo::protocol
