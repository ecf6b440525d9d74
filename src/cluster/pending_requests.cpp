#include "cluster/pending_requests.hpp"

namespace sockudo::cluster {

bool PendingRequests::add(const std::string& request_id, std::set<std::string> expected,
                          TimePoint deadline, Callback callback) {
    if (entries_.size() >= kMaxPending) return false;
    Entry entry;
    entry.answer.expected = expected.size();
    entry.waiting = std::move(expected);
    entry.deadline = deadline;
    entry.callback = std::move(callback);
    entries_.emplace(request_id, std::move(entry));
    return true;
}

PendingRequests::Completion PendingRequests::finish(Entry& entry, bool complete) {
    entry.answer.complete = complete;
    return {std::move(entry.callback), std::move(entry.answer)};
}

std::vector<PendingRequests::Completion> PendingRequests::on_response(
    const ResponseMessage& response) {
    std::vector<Completion> out;
    auto it = entries_.find(response.request_id);
    if (it == entries_.end()) return out;  // late or unknown: dropped (§3.5)
    Entry& entry = it->second;
    if (entry.waiting.erase(response.node_id) == 0) return out;  // unexpected or duplicate
    ++entry.answer.responses;
    for (const auto& [channel, count] : response.channels_with_sockets_count) {
        entry.answer.channel_counts[channel] += count;
    }
    for (const auto& [user, info] : response.members) entry.answer.members.try_emplace(user, info);
    if (entry.waiting.empty()) {
        out.push_back(finish(entry, true));
        entries_.erase(it);
    }
    return out;
}

std::vector<PendingRequests::Completion> PendingRequests::forget_node(const std::string& node) {
    std::vector<Completion> out;
    for (auto it = entries_.begin(); it != entries_.end();) {
        // Still incomplete: the node's share is missing from the answer.
        if (it->second.waiting.erase(node) > 0 && it->second.waiting.empty()) {
            out.push_back(finish(it->second, false));
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::vector<PendingRequests::Completion> PendingRequests::expire(TimePoint now) {
    std::vector<Completion> out;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.deadline <= now) {
            out.push_back(finish(it->second, false));
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

}  // namespace sockudo::cluster
