#pragma once
// The node's realtime core: app registry, per-worker local indexes and the one publish path
// that every source (HTTP API, client events, presence events, later the cluster adapter)
// goes through. A publish is one immutable frame posted to each worker that has subscribers.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "config/options.hpp"
#include "core/app_registry.hpp"
#include "core/channel_cache.hpp"
#include "core/cluster_link.hpp"
#include "core/event_hooks.hpp"
#include "core/local_index.hpp"
#include "transport/frame.hpp"

namespace sockudo::transport {
class Worker;
}

namespace sockudo::core {

struct Publication {
    AppPtr app;
    std::string channel;
    transport::FramePtr frame;
    std::string except_socket_id;  // empty: deliver to everyone
    // Set by publish() when left empty; the broadcast latency histogram measures from here.
    std::chrono::steady_clock::time_point published_at{};
    // Received from another node: delivered here only, never sent back to the cluster.
    bool from_cluster = false;
    // Room for Protocol V2 identity (serial, message_id) on the same path.
};

class Engine {
public:
    Engine(const config::Options& options, AppRegistry& apps,
           std::vector<transport::Worker*> workers, EventHooks& hooks);

    const config::Options& options() const { return options_; }
    AppRegistry& apps() { return apps_; }
    EventHooks& hooks() { return hooks_; }
    unsigned worker_count() const { return static_cast<unsigned>(workers_.size()); }
    transport::Worker& worker(unsigned index) { return *workers_[index]; }
    LocalIndex& local(unsigned worker) { return *locals_[worker]; }

    // Delivers to every subscriber of the channel on this node except `except_socket_id`, then
    // (unless it came from there) hands it to the cluster link for the other nodes.
    void publish(Publication publication);
    // Delivers to every connection signed in as `user_id` (server-to-user channel); with
    // `cluster` the other nodes deliver it to their connections of that user too.
    void send_to_user(const AppPtr& app, const std::string& user_id, transport::FramePtr frame,
                      bool cluster = true);

    // Set once before the workers start; null on a single node.
    void set_cluster(ClusterLink* link) { cluster_ = link; }
    ClusterLink* cluster() const { return cluster_; }
    // Set once before the workers start; the node-local cache unless a shared one is set.
    void set_channel_cache(ChannelCache* cache) { channel_cache_ = cache ? cache : &local_cache_; }
    ChannelCache& channel_cache() { return *channel_cache_; }
    // Closes every connection signed in as `user_id` with 4009.
    void terminate_user(const AppPtr& app, const std::string& user_id);

    // Unique on this node: "<random>.<per-worker counter interleaved by worker>".
    std::string next_socket_id(unsigned worker);

    std::atomic<int64_t>& connections() { return connections_; }
    // Counters for connections that never reached an app (unknown key).
    TrafficCounters& unknown_app_traffic(unsigned worker) { return unknown_app_traffic_[worker]; }
    const TrafficCounters& unknown_app_traffic(unsigned worker) const {
        return unknown_app_traffic_[worker];
    }
    bool draining() const { return draining_.load(std::memory_order_relaxed); }
    void set_draining() { draining_.store(true); }

private:
    void deliver_local(unsigned worker, const Publication& publication);

    const config::Options& options_;
    AppRegistry& apps_;
    std::vector<transport::Worker*> workers_;
    std::vector<std::unique_ptr<LocalIndex>> locals_;
    EventHooks& hooks_;
    ClusterLink* cluster_ = nullptr;
    LocalChannelCache local_cache_;
    ChannelCache* channel_cache_ = &local_cache_;
    struct IdSource {
        std::mt19937_64 random;
        uint64_t counter = 0;
    };
    std::vector<std::unique_ptr<IdSource>> ids_;
    std::atomic<int64_t> connections_{0};
    std::unique_ptr<TrafficCounters[]> unknown_app_traffic_;
    std::atomic<bool> draining_{false};
};

}  // namespace sockudo::core
