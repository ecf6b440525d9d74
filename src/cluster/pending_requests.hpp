#pragma once
// Requests waiting for the other nodes' responses (operations.md §3.5): each knows which
// nodes it expects, merges what arrives, and completes when the last expected node answered
// or its deadline passed (then flagged incomplete). Pure and unlocked; the caller runs the
// returned completions outside its own lock.

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cluster/cluster_messages.hpp"
#include "core/cluster_link.hpp"

namespace sockudo::cluster {

class PendingRequests {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    using Callback = std::function<void(core::ClusterAnswer)>;
    struct Completion {
        Callback callback;
        core::ClusterAnswer answer;
        void run() {
            if (callback) callback(std::move(answer));
        }
    };

    // Bounds the table: a request beyond it is answered at once, incomplete.
    static constexpr size_t kMaxPending = 10'000;

    // Returns false when the table is full (the caller completes it as incomplete).
    bool add(const std::string& request_id, std::set<std::string> expected, TimePoint deadline,
             Callback callback);
    // A response: merged when it belongs to a pending request from an expected node.
    std::vector<Completion> on_response(const ResponseMessage& response);
    // The node will not answer (declared dead): stop waiting for it.
    std::vector<Completion> forget_node(const std::string& node);
    // Requests whose deadline passed, completed with what arrived.
    std::vector<Completion> expire(TimePoint now);
    size_t size() const { return entries_.size(); }

private:
    struct Entry {
        std::set<std::string> waiting;
        core::ClusterAnswer answer;
        TimePoint deadline;
        Callback callback;
    };
    static Completion finish(Entry& entry, bool complete);

    std::map<std::string, Entry> entries_;
};

}  // namespace sockudo::cluster
