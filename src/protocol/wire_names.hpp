#pragma once
// Wire names of the Pusher protocol, spelled exactly as clients expect them.

#include <string_view>

namespace sockudo::protocol::wire {

constexpr std::string_view kConnectionEstablished = "pusher:connection_established";
constexpr std::string_view kError = "pusher:error";
constexpr std::string_view kPing = "pusher:ping";
constexpr std::string_view kPong = "pusher:pong";
constexpr std::string_view kSubscribe = "pusher:subscribe";
constexpr std::string_view kUnsubscribe = "pusher:unsubscribe";
constexpr std::string_view kSignin = "pusher:signin";
constexpr std::string_view kSigninSuccess = "pusher:signin_success";
constexpr std::string_view kSubscriptionError = "pusher:subscription_error";
constexpr std::string_view kCacheMiss = "pusher:cache_miss";
constexpr std::string_view kSubscriptionSucceeded = "pusher_internal:subscription_succeeded";
constexpr std::string_view kMemberAdded = "pusher_internal:member_added";
constexpr std::string_view kMemberRemoved = "pusher_internal:member_removed";
constexpr std::string_view kSubscriptionCount = "pusher_internal:subscription_count";
constexpr std::string_view kWatchlistEvents = "pusher_internal:watchlist_events";

constexpr std::string_view kClientEventPrefix = "client-";
constexpr std::string_view kServerToUserPrefix = "#server-to-user-";
constexpr std::string_view kPrivatePrefix = "private-";
constexpr std::string_view kPrivateEncryptedPrefix = "private-encrypted-";
constexpr std::string_view kPresencePrefix = "presence-";

}  // namespace sockudo::protocol::wire
