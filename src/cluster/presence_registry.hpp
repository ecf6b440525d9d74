#pragma once
// What each node holds, as far as cluster-exact transitions need it (operations.md §3.7):
// per node, per app, the presence members of each channel (user_id -> user_info, one entry
// per user however many sockets) and the channels it has subscribers in. The own node's
// slice is a NodeSlice as well, so the same code encodes it for a peer. Pure; not locked.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/presence.hpp"

namespace sockudo::cluster {

struct NodeSlice {
    // app_id -> channel -> user_id -> user_info JSON
    std::map<std::string, std::map<std::string, std::map<std::string, std::string>, std::less<>>,
             std::less<>>
        members;
    // app_id -> occupied channels
    std::map<std::string, std::set<std::string, std::less<>>, std::less<>> channels;

    void join(std::string_view app, std::string_view channel, std::string_view user,
              std::string_view info);
    void leave(std::string_view app, std::string_view channel, std::string_view user);
    void occupy(std::string_view app, std::string_view channel);
    void vacate(std::string_view app, std::string_view channel);
    bool has_member(std::string_view app, std::string_view channel, std::string_view user) const;
    bool has_channel(std::string_view app, std::string_view channel) const;
    // The member's user_info JSON; empty when it is not a member.
    std::string member_info(std::string_view app, std::string_view channel,
                            std::string_view user) const;
    bool empty() const { return members.empty() && channels.empty(); }

private:
    // The member's user_info, or null when it is not a member.
    const std::string* find_member(std::string_view app, std::string_view channel,
                                   std::string_view user) const;
};

// PresenceStateSync payload (our layout inside Sockudo's `user_info` field):
// {"apps": {app_id: {"members": {channel: {user_id: user_info}}, "channels": [..]}}}
std::string encode_slice(const NodeSlice& slice);
std::optional<NodeSlice> decode_slice(std::string_view json);

class PresenceRegistry {
public:
    NodeSlice& slice(const std::string& node) { return nodes_[node]; }
    void replace(const std::string& node, NodeSlice slice) { nodes_[node] = std::move(slice); }
    // Forgets the node; returns what it held.
    NodeSlice remove(const std::string& node);

    bool has_member(std::string_view app, std::string_view channel, std::string_view user) const;
    bool has_channel(std::string_view app, std::string_view channel) const;
    // Adds the members of the channel held by any node that `members` does not hold yet.
    void merge_members(std::string_view app, std::string_view channel,
                       std::vector<protocol::PresenceMember>& members) const;

private:
    std::map<std::string, NodeSlice> nodes_;
};

}  // namespace sockudo::cluster
