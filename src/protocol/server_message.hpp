#pragma once
// Server-to-client messages as exact wire text (protocol-v1 §6). The encoding of `data` per
// event is fixed by the §2.3 table: most carry a JSON *string*; pusher:error and
// pusher:signin_success carry an object.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/presence.hpp"

namespace sockudo::protocol::server_message {

std::string connection_established(std::string_view socket_id, uint64_t activity_timeout_s);
std::string error(std::optional<int> code, std::string_view message);
std::string channel_error(std::string_view channel, std::optional<int> code,
                          std::string_view message);
std::string ping();
std::string pong();
std::string subscription_succeeded(std::string_view channel);
std::string presence_subscription_succeeded(std::string_view channel,
                                            const std::vector<const PresenceMember*>& members);
std::string subscription_error(std::string_view channel, std::string_view type,
                               std::string_view error, int status);
std::string member_added(std::string_view channel, std::string_view user_id,
                         std::string_view user_info_json);
std::string member_removed(std::string_view channel, std::string_view user_id);
// An application or relayed client event; `user_id` (presence client events) may be null.
std::string channel_event(std::string_view event, std::string_view channel, std::string_view data,
                          const std::string* user_id);
std::string cache_miss(std::string_view channel);
std::string signin_success(std::string_view user_data);
std::string watchlist_events(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& events);
std::string subscription_count(std::string_view channel, uint64_t count);

}  // namespace sockudo::protocol::server_message
