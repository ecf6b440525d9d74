#pragma once
// What the core needs from the other nodes of a cluster (operations.md §3). The cluster layer
// implements it; a null link is a single node. Every method may be called from any worker
// thread and never blocks on the network.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/presence.hpp"

namespace sockudo::core {

class AppRuntime;

// The other nodes' part of a cluster-wide question. The caller adds its own local state.
struct ClusterAnswer {
    bool complete = true;  // every expected node answered before the deadline
    size_t responses = 0;
    size_t expected = 0;
    std::unordered_map<std::string, uint64_t> channel_counts;  // channel -> sockets, summed
    std::unordered_map<std::string, std::string> members;      // user_id -> user_info JSON
};

enum class ClusterQuery {
    ChannelsWithSocketsCount,  // every occupied channel with its socket count
    ChannelSocketsCount,       // `channels`: socket count of each
    ChannelMembers,            // `channels[0]`: presence members
    TerminateUser,             // `user_id`: close that user's sockets everywhere
};

struct ClusterQueryArgs {
    ClusterQuery type = ClusterQuery::ChannelsWithSocketsCount;
    std::vector<std::string> channels;
    std::string user_id;
};

// What the link has done since start, for /metrics (Sockudo's horizontal_adapter_* families).
struct ClusterCounters {
    std::atomic<uint64_t> invalid_messages{0};  // unparseable or of an unknown shape
    std::atomic<uint64_t> broadcasts_sent{0};
    std::atomic<uint64_t> broadcasts_dropped{
        0};  // the transport refused them (broker down, queue full)
    std::atomic<uint64_t> broadcasts_received{0};
    std::atomic<uint64_t> requests_sent{0};
    std::atomic<uint64_t> requests_received{0};
    std::atomic<uint64_t> responses_received{0};
    std::atomic<uint64_t> requests_complete{0};
    std::atomic<uint64_t> requests_partial{0};
    std::atomic<uint64_t> dead_nodes{0};
};

class ClusterLink {
public:
    virtual ~ClusterLink() = default;

    // After the local delivery of a publication that originated here: carries `payload` (the
    // Pusher frame JSON) to the other nodes, skipping `except_socket_id` there as well.
    virtual void broadcast(const AppRuntime& app, std::string_view channel,
                           std::string_view payload, std::string_view except_socket_id) = 0;

    // Presence and occupancy, cluster-exact. Called on this node's local transitions (the
    // user's first / last local socket in the channel, the channel's first / last local
    // subscriber); the answer is whether this node must announce it, i.e. no other live node
    // holds the user (channel).
    virtual bool member_joined(const AppRuntime& app, std::string_view channel,
                               const protocol::PresenceMember& member) = 0;
    virtual bool member_left(const AppRuntime& app, std::string_view channel,
                             std::string_view user_id) = 0;
    virtual bool channel_occupied(const AppRuntime& app, std::string_view channel) = 0;
    virtual bool channel_vacated(const AppRuntime& app, std::string_view channel) = 0;
    // Adds the other nodes' members of the channel that `members` does not hold yet.
    virtual void merge_remote_members(const AppRuntime& app, std::string_view channel,
                                      std::vector<protocol::PresenceMember>& members) const = 0;

    // True when other live nodes are known: cluster-wide questions need a round trip.
    virtual bool has_peers() const = 0;
    // Scatter/gather with a deadline; `done` runs once, on a cluster thread, with what arrived.
    virtual void query(const AppRuntime& app, ClusterQueryArgs args,
                       std::function<void(ClusterAnswer)> done) = 0;

    // Broker reachable (false: this node delivers only to its own sockets).
    virtual bool healthy() const = 0;
    virtual const ClusterCounters& counters() const = 0;
};

}  // namespace sockudo::core
