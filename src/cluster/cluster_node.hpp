#pragma once
// This node's membership in a cluster (operations.md §3): implements core::ClusterLink over a
// Transport. Publishes go out as broadcasts; presence and occupancy are replicated per node so
// transitions are decided cluster-wide; heartbeats keep the table of live peers, the leader
// cleans up after dead nodes; cluster-wide questions are scatter/gather with a deadline.
//
// Threads: worker threads call the ClusterLink methods; the transport's thread runs
// on_message / on_state; a ticker thread sends heartbeats, detects dead nodes and expires
// requests. All shared state is behind one mutex, never held while publishing or calling out.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "cluster/cluster_messages.hpp"
#include "cluster/leave_arbiter.hpp"
#include "cluster/peer_table.hpp"
#include "cluster/pending_requests.hpp"
#include "cluster/presence_registry.hpp"
#include "cluster/transport.hpp"
#include "core/cluster_link.hpp"
#include "core/engine.hpp"

namespace sockudo::cluster {

struct ClusterSettings {
    bool health_enabled = true;
    std::chrono::milliseconds heartbeat_interval{10'000};
    std::chrono::milliseconds node_timeout{30'000};
    std::chrono::milliseconds cleanup_interval{10'000};
    std::chrono::milliseconds request_timeout{5'000};

    static ClusterSettings from(const config::Options& options);
};

class ClusterNode final : public core::ClusterLink {
public:
    ClusterNode(core::Engine& engine, TransportPtr transport, ClusterSettings settings);
    ~ClusterNode() override;

    // Connects (asynchronously) and starts the heartbeats.
    void start();
    // Graceful departure (§3.6 [R]): call after this node's sockets were closed and their
    // presence leaves processed; announces NodeDead with its own id, then disconnects.
    void stop();

    const std::string& node_id() const { return node_id_; }
    const char* driver_name() const { return transport_->driver_name(); }
    const core::ClusterCounters& stats() const { return stats_; }
    size_t peer_count() const;

    // core::ClusterLink
    void broadcast(const core::AppRuntime& app, std::string_view channel, std::string_view payload,
                   std::string_view except_socket_id) override;
    bool member_joined(const core::AppRuntime& app, std::string_view channel,
                       const protocol::PresenceMember& member) override;
    bool member_left(const core::AppRuntime& app, std::string_view channel,
                     std::string_view user_id) override;
    bool channel_occupied(const core::AppRuntime& app, std::string_view channel) override;
    bool channel_vacated(const core::AppRuntime& app, std::string_view channel) override;
    void merge_remote_members(const core::AppRuntime& app, std::string_view channel,
                              std::vector<protocol::PresenceMember>& members) const override;
    bool has_peers() const override;
    void query(const core::AppRuntime& app, core::ClusterQueryArgs args,
               std::function<void(core::ClusterAnswer)> done) override;
    bool healthy() const override { return up_.load(std::memory_order_relaxed); }
    const core::ClusterCounters& counters() const override { return stats_; }

private:
    using Clock = std::chrono::steady_clock;

    // Transport thread.
    void on_message(Channel channel, std::string_view payload);
    void on_state(bool up);
    void on_broadcast(const BroadcastMessage& message);
    void on_request(const RequestMessage& request);
    void on_control(const RequestMessage& request);
    void answer(const RequestMessage& request);
    // Ticker thread.
    void run_ticker();
    void check_dead_nodes(Clock::time_point now);
    void clean_up_after(const NodeSlice& slice);
    // A remote leave: applies it, and announces it here when the leave race says so.
    void on_remote_leave(const RequestMessage& request);
    // The cluster-wide announcements this node makes on behalf of another one.
    void announce_member_removed(const std::string& app_id, const std::string& channel,
                                 const std::string& user_id);
    void announce_vacated(const std::string& app_id, const std::string& channel);

    // Local last leaves wait kLeaveSettle before they are decided (see cluster_node.cpp).
    struct DeferredLeave {
        bool member = true;  // false: the channel's last subscriber
        std::string app_id;
        std::string channel;
        std::string user_id;
        Clock::time_point due;
        std::string user_info;  // what the member had, for snapshots taken before it settles
    };
    void defer_leave(const std::string& key, DeferredLeave leave);  // under mutex_
    void settle_leaves(Clock::time_point now);

    void send_heartbeat(bool resync);
    void send_sync(const std::string& target);
    void send_control(RequestType type, const core::AppRuntime& app, std::string_view channel,
                      std::string_view user_id = {}, std::string_view user_info = {});
    RequestMessage control(RequestType type, std::string app_id) const;
    std::chrono::milliseconds live_window() const { return settings_.node_timeout; }

    core::Engine& engine_;
    TransportPtr transport_;
    const ClusterSettings settings_;
    const std::string node_id_;

    mutable std::mutex mutex_;
    PeerTable peers_;
    PresenceRegistry registry_;  // the other nodes' slices
    NodeSlice own_;              // this node's slice, sent to new peers
    PendingRequests pending_;
    LeaveArbiter arbiter_;
    std::map<std::string, DeferredLeave> deferred_;
    bool ever_up_ = false;

    std::atomic<bool> up_{false};
    std::mutex ticker_mutex_;
    std::condition_variable ticker_wake_;
    bool stopping_ = false;
    bool started_ = false;
    std::thread ticker_;
    core::ClusterCounters stats_;
};

// A random RFC 4122 version 4 UUID (node identity and request ids).
std::string random_uuid();

}  // namespace sockudo::cluster
