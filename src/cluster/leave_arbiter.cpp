#include "cluster/leave_arbiter.hpp"

#include <algorithm>

namespace sockudo::cluster {

void LeaveArbiter::kept_quiet(const std::string& key, TimePoint now) {
    if (entries_.size() >= kMaxEntries && entries_.count(key) == 0) {
        auto oldest = std::min_element(
            entries_.begin(), entries_.end(),
            [](const auto& a, const auto& b) { return a.second.at < b.second.at; });
        entries_.erase(oldest);
    }
    Entry& e = entries_[key];
    e.at = now;
    e.quiet.clear();
}

bool LeaveArbiter::quiet_elsewhere(const std::string& key, const std::string& node,
                                   bool nobody_holds, const std::string& self) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return false;  // we announced, or never held it
    it->second.quiet.insert(node);
    if (!nobody_holds) return false;  // a third node still holds it; its leave decides
    const bool mine = self < *it->second.quiet.begin();
    entries_.erase(it);
    return mine;
}

void LeaveArbiter::expire(TimePoint now, std::chrono::milliseconds max_age) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        it = now - it->second.at > max_age ? entries_.erase(it) : std::next(it);
    }
}

}  // namespace sockudo::cluster
