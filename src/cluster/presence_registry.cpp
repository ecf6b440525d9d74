#include "cluster/presence_registry.hpp"

#include <boost/json.hpp>
#include <unordered_set>

#include "protocol/json_parse.hpp"

namespace sockudo::cluster {

namespace json = boost::json;

void NodeSlice::join(std::string_view app, std::string_view channel, std::string_view user,
                     std::string_view info) {
    auto& users = members[std::string(app)][std::string(channel)];
    users[std::string(user)] = std::string(info);
}

void NodeSlice::leave(std::string_view app, std::string_view channel, std::string_view user) {
    auto a = members.find(app);
    if (a == members.end()) return;
    auto c = a->second.find(channel);
    if (c == a->second.end()) return;
    c->second.erase(std::string(user));
    // Empty containers are removed at once, so an empty slice means "holds nothing".
    if (c->second.empty()) a->second.erase(c);
    if (a->second.empty()) members.erase(a);
}

void NodeSlice::occupy(std::string_view app, std::string_view channel) {
    channels[std::string(app)].insert(std::string(channel));
}

void NodeSlice::vacate(std::string_view app, std::string_view channel) {
    auto a = channels.find(app);
    if (a == channels.end()) return;
    a->second.erase(std::string(channel));
    if (a->second.empty()) channels.erase(a);
}

const std::string* NodeSlice::find_member(std::string_view app, std::string_view channel,
                                          std::string_view user) const {
    auto a = members.find(app);
    if (a == members.end()) return nullptr;
    auto c = a->second.find(channel);
    if (c == a->second.end()) return nullptr;
    auto u = c->second.find(std::string(user));
    return u == c->second.end() ? nullptr : &u->second;
}

bool NodeSlice::has_member(std::string_view app, std::string_view channel,
                           std::string_view user) const {
    return find_member(app, channel, user) != nullptr;
}

std::string NodeSlice::member_info(std::string_view app, std::string_view channel,
                                   std::string_view user) const {
    const std::string* info = find_member(app, channel, user);
    return info ? *info : std::string();
}

bool NodeSlice::has_channel(std::string_view app, std::string_view channel) const {
    auto a = channels.find(app);
    return a != channels.end() && a->second.count(channel) > 0;
}

std::string encode_slice(const NodeSlice& slice) {
    json::object apps;
    for (const auto& [app, channels] : slice.members) {
        json::object by_channel;
        for (const auto& [channel, users] : channels) {
            json::object by_user;
            for (const auto& [user, info] : users) {
                boost::system::error_code ec;
                json::value v = protocol::parse_json(info, ec);
                by_user[user] = ec ? json::value(json::object()) : std::move(v);
            }
            by_channel[channel] = std::move(by_user);
        }
        apps[app].emplace_object()["members"] = std::move(by_channel);
    }
    for (const auto& [app, channels] : slice.channels) {
        json::array list;
        for (const auto& c : channels) list.emplace_back(c);
        json::value& entry = apps[app];
        if (!entry.is_object()) entry.emplace_object();
        entry.as_object()["channels"] = std::move(list);
    }
    return json::serialize(json::object{{"apps", std::move(apps)}});
}

std::optional<NodeSlice> decode_slice(std::string_view text) {
    boost::system::error_code ec;
    json::value v = protocol::parse_json(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    auto apps = v.as_object().find("apps");
    if (apps == v.as_object().end() || !apps->value().is_object()) return std::nullopt;
    NodeSlice slice;
    for (const auto& [app, entry] : apps->value().get_object()) {
        if (!entry.is_object()) return std::nullopt;
        const json::object& e = entry.get_object();
        if (auto m = e.find("members"); m != e.end() && m->value().is_object()) {
            for (const auto& [channel, users] : m->value().get_object()) {
                if (!users.is_object()) return std::nullopt;
                for (const auto& [user, info] : users.get_object()) {
                    slice.join(app, channel, user, json::serialize(info));
                }
            }
        }
        if (auto c = e.find("channels"); c != e.end() && c->value().is_array()) {
            for (const auto& channel : c->value().get_array()) {
                if (channel.is_string()) slice.occupy(app, channel.get_string());
            }
        }
    }
    return slice;
}

NodeSlice PresenceRegistry::remove(const std::string& node) {
    auto it = nodes_.find(node);
    if (it == nodes_.end()) return {};
    NodeSlice out = std::move(it->second);
    nodes_.erase(it);
    return out;
}

bool PresenceRegistry::has_member(std::string_view app, std::string_view channel,
                                  std::string_view user) const {
    for (const auto& [node, slice] : nodes_) {
        if (slice.has_member(app, channel, user)) return true;
    }
    return false;
}

bool PresenceRegistry::has_channel(std::string_view app, std::string_view channel) const {
    for (const auto& [node, slice] : nodes_) {
        if (slice.has_channel(app, channel)) return true;
    }
    return false;
}

void PresenceRegistry::merge_members(std::string_view app, std::string_view channel,
                                     std::vector<protocol::PresenceMember>& members) const {
    std::unordered_set<std::string> known;
    for (const auto& m : members) known.insert(m.user_id);
    for (const auto& [node, slice] : nodes_) {
        auto a = slice.members.find(app);
        if (a == slice.members.end()) continue;
        auto c = a->second.find(channel);
        if (c == a->second.end()) continue;
        for (const auto& [user, info] : c->second) {
            if (known.insert(user).second) members.push_back({user, info});
        }
    }
}

}  // namespace sockudo::cluster
