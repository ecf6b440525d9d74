#pragma once
// Channel names: validation (protocol-v1 §4.1) and anchored type classification (§4.2).

#include <cstddef>
#include <string_view>

namespace sockudo::protocol {

enum class ChannelType { Public, Private, Encrypted, Presence, ServerToUser };

struct ChannelKind {
    ChannelType type = ChannelType::Public;
    bool cache = false;
};

ChannelKind classify_channel(std::string_view name);

enum class ChannelNameError { None, Empty, InvalidCharacters, TooLong };

// Characters [A-Za-z0-9_\-=@,.;]; `#` only as the `#server-to-user-{id}` form. The length
// counts the whole name, prefix included.
ChannelNameError validate_channel_name(std::string_view name, size_t max_length);

inline bool requires_auth(ChannelKind k) {
    return k.type == ChannelType::Private || k.type == ChannelType::Encrypted ||
           k.type == ChannelType::Presence;
}
inline bool is_presence(ChannelKind k) {
    return k.type == ChannelType::Presence;
}
// Client events: private and presence channels (cache variants included) only.
inline bool client_events_allowed(ChannelKind k) {
    return k.type == ChannelType::Private || k.type == ChannelType::Presence;
}

// The user id of a `#server-to-user-{id}` channel; empty for any other name.
std::string_view server_to_user_id(std::string_view channel);

}  // namespace sockudo::protocol
