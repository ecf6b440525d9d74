#pragma once
// The JSON messages nodes exchange (operations.md §3.3), in Sockudo's field names so a
// broker's traffic reads the same. Pure: no I/O, no state. Decoders never throw; they return
// nothing for text that is not a message of the expected shape.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockudo::cluster {

struct BroadcastMessage {
    std::string node_id;
    std::string app_id;
    std::string channel;
    std::string message;           // the Pusher frame JSON, carried as a string
    std::string except_socket_id;  // empty: none
    double timestamp_ms = 0;       // origin wall clock, for latency; 0: absent
};

// Sockudo's request types (§3.5) plus two of ours for occupancy replication.
enum class RequestType {
    ChannelMembers,
    ChannelSocketsCount,
    BatchChannelSocketsCount,
    ChannelsWithSocketsCount,
    TerminateUserConnections,
    PresenceMemberJoined,
    PresenceMemberLeft,
    Heartbeat,
    NodeDead,
    PresenceStateSync,
    ChannelOccupied,  // ours: a node's first local subscriber of `channel`
    ChannelVacated,   // ours: its last one left
};

const char* request_type_name(RequestType type);
std::optional<RequestType> parse_request_type(std::string_view name);
// Types that are never answered (§3.5: control messages on the request channel).
bool fire_and_forget(RequestType type);

struct RequestMessage {
    std::string request_id;
    std::string node_id;
    std::string app_id;
    RequestType type = RequestType::Heartbeat;
    std::string channel;
    std::string socket_id;
    std::string user_id;
    std::string user_info_json;  // any JSON text; empty: absent
    uint64_t timestamp = 0;      // seconds; heartbeats
    std::string dead_node_id;
    std::string target_node_id;
    std::vector<std::string> channels;
    std::string reply_to;
};

struct ResponseMessage {
    std::string request_id;
    std::string node_id;
    std::string app_id;
    std::map<std::string, std::string> members;  // user_id -> user_info JSON text
    std::map<std::string, uint64_t> channels_with_sockets_count;
    uint64_t sockets_count = 0;
    bool exists = false;
    std::vector<std::string> channels;
};

std::string encode(const BroadcastMessage& message);
std::string encode(const RequestMessage& message);
std::string encode(const ResponseMessage& message);

std::optional<BroadcastMessage> decode_broadcast(std::string_view text);
std::optional<RequestMessage> decode_request(std::string_view text);
std::optional<ResponseMessage> decode_response(std::string_view text);

}  // namespace sockudo::cluster
