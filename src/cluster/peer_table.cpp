#include "cluster/peer_table.hpp"

namespace sockudo::cluster {

bool PeerTable::seen(const std::string& node, TimePoint now) {
    auto [it, inserted] = last_seen_.insert_or_assign(node, now);
    (void)it;
    return inserted;
}

void PeerTable::remove(const std::string& node) {
    last_seen_.erase(node);
}

std::vector<std::string> PeerTable::expired(TimePoint now, Duration timeout) const {
    std::vector<std::string> out;
    for (const auto& [node, at] : last_seen_) {
        if (now - at > timeout) out.push_back(node);
    }
    return out;
}

std::vector<std::string> PeerTable::live(TimePoint now, Duration timeout) const {
    std::vector<std::string> out;
    for (const auto& [node, at] : last_seen_) {
        if (now - at <= timeout) out.push_back(node);
    }
    return out;
}

std::string PeerTable::leader(const std::string& self, TimePoint now, Duration timeout) const {
    std::string best = self;
    for (const auto& [node, at] : last_seen_) {
        if (now - at <= timeout && node < best) best = node;
    }
    return best;
}

void PeerTable::refresh_all(TimePoint now) {
    for (auto& entry : last_seen_) entry.second = now;
}

}  // namespace sockudo::cluster
