// Lifecycle, heartbeats, dead nodes and the replication of presence and occupancy.
#include "cluster/cluster_node.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <random>

#include "protocol/server_message.hpp"

namespace sockudo::cluster {

namespace {

// How often the ticker looks at request deadlines: bounds how late a partial answer is.
constexpr std::chrono::milliseconds kTick{20};
// A node's last local leave is announced this long after it happened, unless another node
// turned out to hold the user (channel) by then or the user came back: a join on another node
// racing a leave here within one broker round trip would otherwise be announced as a removal.
constexpr std::chrono::milliseconds kLeaveSettle{200};
constexpr size_t kMaxDeferredLeaves = 100'000;
// Time given to the transport to send the departure notice before it disconnects.
constexpr std::chrono::milliseconds kDepartureFlush{150};
constexpr std::string_view kResync = R"({"resync":true})";
// Carried in the `user_info` of our leave notices: whether the sender announced the leave.
constexpr std::string_view kAnnounced = R"({"announced":true})";
constexpr std::string_view kQuiet = R"({"announced":false})";

std::string member_key(std::string_view app, std::string_view channel, std::string_view user) {
    std::string key = "m";
    for (auto part : {app, channel, user}) key.append(1, '\x1f').append(part);
    return key;
}

std::string channel_key(std::string_view app, std::string_view channel) {
    std::string key = "c";
    for (auto part : {app, channel}) key.append(1, '\x1f').append(part);
    return key;
}

void run_all(std::vector<PendingRequests::Completion>& completions) {
    for (auto& c : completions) c.run();
}

}  // namespace

std::string random_uuid() {
    thread_local std::mt19937_64 random{(static_cast<uint64_t>(std::random_device{}()) << 32) ^
                                        std::random_device{}()};
    uint64_t hi = random(), lo = random();
    hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
    char text[37];
    std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
    return text;
}

ClusterSettings ClusterSettings::from(const config::Options& options) {
    const config::AdapterOptions& a = options.adapter;
    ClusterSettings s;
    s.health_enabled = a.cluster_health_enabled;
    s.heartbeat_interval = std::chrono::milliseconds(a.heartbeat_interval_ms);
    s.node_timeout = std::chrono::milliseconds(a.node_timeout_ms);
    s.cleanup_interval = std::chrono::milliseconds(a.cleanup_interval_ms);
    s.request_timeout = std::chrono::milliseconds(a.driver == config::AdapterDriver::Nats
                                                      ? a.nats_request_timeout_ms
                                                      : a.redis_requests_timeout_ms);
    return s;
}

ClusterNode::ClusterNode(core::Engine& engine, TransportPtr transport, ClusterSettings settings)
    : engine_(engine),
      transport_(std::move(transport)),
      settings_(settings),
      node_id_(random_uuid()) {}

ClusterNode::~ClusterNode() {
    stop();
}

void ClusterNode::start() {
    {
        std::lock_guard lock(ticker_mutex_);
        if (started_) return;
        started_ = true;
    }
    spdlog::info("cluster: node {} joining through {}", node_id_, transport_->driver_name());
    Transport::Handlers handlers;
    handlers.on_message = [this](Channel c, std::string_view payload) { on_message(c, payload); };
    handlers.on_state = [this](bool up) { on_state(up); };
    transport_->start(node_id_, std::move(handlers));
    ticker_ = std::thread([this] { run_ticker(); });
}

void ClusterNode::stop() {
    {
        std::lock_guard lock(ticker_mutex_);
        if (!started_ || stopping_) return;
        stopping_ = true;
        ticker_wake_.notify_all();
    }
    if (ticker_.joinable()) ticker_.join();
    // The leaves of this node's last sockets are announced before it says goodbye (§3.6 [R]).
    settle_leaves(Clock::time_point::max());
    if (settings_.health_enabled && up_.load()) {
        RequestMessage bye = control(RequestType::NodeDead, "cluster");
        bye.dead_node_id = node_id_;
        transport_->publish(Channel::Requests, encode(bye));
        std::this_thread::sleep_for(kDepartureFlush);
    }
    transport_->stop();
    std::vector<PendingRequests::Completion> left;
    {
        std::lock_guard lock(mutex_);
        left = pending_.expire(Clock::time_point::max());
    }
    run_all(left);
}

size_t ClusterNode::peer_count() const {
    std::lock_guard lock(mutex_);
    return peers_.live(Clock::now(), live_window()).size();
}

bool ClusterNode::has_peers() const {
    return peer_count() > 0;
}

RequestMessage ClusterNode::control(RequestType type, std::string app_id) const {
    RequestMessage m;
    m.request_id = random_uuid();
    m.node_id = node_id_;
    m.app_id = std::move(app_id);
    m.type = type;
    return m;
}

void ClusterNode::send_heartbeat(bool resync) {
    RequestMessage m = control(RequestType::Heartbeat, "cluster");
    m.timestamp = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
    if (resync) m.user_info_json = std::string(kResync);
    transport_->publish(Channel::Requests, encode(m));
}

void ClusterNode::send_sync(const std::string& target) {
    RequestMessage m = control(RequestType::PresenceStateSync, "cluster");
    m.target_node_id = target;
    // Published under the lock, like every change to own_: a snapshot taken before a join must
    // reach the peer before that join's message, or the peer's replace() would drop the member.
    std::lock_guard lock(mutex_);
    // A leave still within its settle time has not happened for the cluster yet: the peer
    // would otherwise take the member (or channel) as gone and announce its own last leave.
    NodeSlice held = own_;
    for (const auto& [key, leave] : deferred_) {
        if (leave.member) {
            held.join(leave.app_id, leave.channel, leave.user_id,
                      leave.user_info.empty() ? "{}" : leave.user_info);
        } else {
            held.occupy(leave.app_id, leave.channel);
        }
    }
    m.user_info_json = encode_slice(held);
    transport_->publish(Channel::Node, encode(m), target);
}

void ClusterNode::send_control(RequestType type, const core::AppRuntime& app,
                               std::string_view channel, std::string_view user_id,
                               std::string_view user_info) {
    if (!settings_.health_enabled) return;
    RequestMessage m = control(type, app.app().id);
    m.channel = std::string(channel);
    m.user_id = std::string(user_id);
    m.user_info_json = std::string(user_info);
    transport_->publish(Channel::Requests, encode(m));
}

bool ClusterNode::member_joined(const core::AppRuntime& app, std::string_view channel,
                                const protocol::PresenceMember& member) {
    std::lock_guard lock(mutex_);
    own_.join(app.app().id, channel, member.user_id, member.user_info_json);
    // Back within the settle time: for the cluster the user never left.
    if (deferred_.erase(member_key(app.app().id, channel, member.user_id)) > 0) return false;
    const bool announce = !registry_.has_member(app.app().id, channel, member.user_id);
    // Under the lock, so that it is ordered with the snapshots of send_sync().
    send_control(RequestType::PresenceMemberJoined, app, channel, member.user_id,
                 member.user_info_json.empty() ? "{}" : member.user_info_json);
    return announce;
}

bool ClusterNode::member_left(const core::AppRuntime& app, std::string_view channel,
                              std::string_view user_id) {
    std::lock_guard lock(mutex_);
    std::string user_info = own_.member_info(app.app().id, channel, user_id);
    own_.leave(app.app().id, channel, user_id);
    defer_leave(member_key(app.app().id, channel, user_id),
                {true, app.app().id, std::string(channel), std::string(user_id),
                 Clock::now() + kLeaveSettle, std::move(user_info)});
    return false;  // settle_leaves() decides and announces
}

bool ClusterNode::channel_occupied(const core::AppRuntime& app, std::string_view channel) {
    std::lock_guard lock(mutex_);
    own_.occupy(app.app().id, channel);
    if (deferred_.erase(channel_key(app.app().id, channel)) > 0) return false;
    const bool announce = !registry_.has_channel(app.app().id, channel);
    send_control(RequestType::ChannelOccupied, app, channel);  // ordered with send_sync()
    return announce;
}

bool ClusterNode::channel_vacated(const core::AppRuntime& app, std::string_view channel) {
    std::lock_guard lock(mutex_);
    own_.vacate(app.app().id, channel);
    defer_leave(channel_key(app.app().id, channel),
                {false, app.app().id, std::string(channel), {}, Clock::now() + kLeaveSettle, {}});
    return false;
}

void ClusterNode::defer_leave(const std::string& key, DeferredLeave leave) {
    if (deferred_.size() >= kMaxDeferredLeaves)
        leave.due = Clock::time_point::min();  // settle at once
    deferred_[key] = std::move(leave);
}

void ClusterNode::settle_leaves(Clock::time_point now) {
    struct Decision {
        DeferredLeave leave;
        bool announce;
    };
    std::vector<Decision> decisions;
    {
        std::lock_guard lock(mutex_);
        for (auto it = deferred_.begin(); it != deferred_.end();) {
            if (it->second.due > now) {
                ++it;
                continue;
            }
            const DeferredLeave& l = it->second;
            const bool held_elsewhere = l.member
                                            ? registry_.has_member(l.app_id, l.channel, l.user_id)
                                            : registry_.has_channel(l.app_id, l.channel);
            if (held_elsewhere) arbiter_.kept_quiet(it->first, now);
            decisions.push_back({std::move(it->second), !held_elsewhere});
            it = deferred_.erase(it);
        }
    }
    for (const auto& [l, announce] : decisions) {
        if (settings_.health_enabled) {
            RequestMessage m = control(
                l.member ? RequestType::PresenceMemberLeft : RequestType::ChannelVacated, l.app_id);
            m.channel = l.channel;
            m.user_id = l.user_id;
            m.user_info_json = std::string(announce ? kAnnounced : kQuiet);
            transport_->publish(Channel::Requests, encode(m));
        }
        if (!announce) continue;
        if (l.member) {
            announce_member_removed(l.app_id, l.channel, l.user_id);
        } else {
            announce_vacated(l.app_id, l.channel);
        }
    }
}

void ClusterNode::merge_remote_members(const core::AppRuntime& app, std::string_view channel,
                                       std::vector<protocol::PresenceMember>& members) const {
    std::lock_guard lock(mutex_);
    registry_.merge_members(app.app().id, channel, members);
}

void ClusterNode::on_state(bool up) {
    up_.store(up);
    if (!up) {
        spdlog::warn("cluster: {} unreachable; delivering to this node's sockets only",
                     transport_->driver_name());
        return;
    }
    std::vector<std::string> known;
    bool again;
    {
        std::lock_guard lock(mutex_);
        again = ever_up_;
        ever_up_ = true;
        // Heartbeats could not arrive while we were cut off: that silence is ours, not theirs.
        peers_.refresh_all(Clock::now());
        known = peers_.live(Clock::now(), live_window());
    }
    spdlog::info("cluster: {} {}", transport_->driver_name(),
                 again ? "reachable again" : "connected");
    if (!settings_.health_enabled) return;
    // What changed here while we were cut off never reached the peers; ask for theirs too.
    send_heartbeat(true);
    for (const auto& peer : known) send_sync(peer);
}

void ClusterNode::run_ticker() {
    auto next_heartbeat = Clock::now();
    auto next_cleanup = Clock::now() + settings_.cleanup_interval;
    std::unique_lock lock(ticker_mutex_);
    while (!stopping_) {
        ticker_wake_.wait_for(lock, kTick, [&] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        const auto now = Clock::now();
        std::vector<PendingRequests::Completion> expired;
        {
            std::lock_guard state(mutex_);
            expired = pending_.expire(now);
        }
        stats_.requests_partial.fetch_add(expired.size());
        run_all(expired);
        settle_leaves(now);
        if (settings_.health_enabled && now >= next_heartbeat) {
            // The first one goes out as soon as the transport is up (on_state).
            if (up_.load()) send_heartbeat(false);
            next_heartbeat = now + settings_.heartbeat_interval;
        }
        if (settings_.health_enabled && now >= next_cleanup) {
            // While the broker is unreachable every peer looks silent: decide nothing.
            if (up_.load()) check_dead_nodes(now);
            {
                std::lock_guard state(mutex_);
                arbiter_.expire(now, settings_.node_timeout);
            }
            next_cleanup = now + settings_.cleanup_interval;
        }
        lock.lock();
    }
}

void ClusterNode::check_dead_nodes(Clock::time_point now) {
    std::vector<std::pair<std::string, NodeSlice>> dead;
    std::vector<PendingRequests::Completion> orphaned;
    {
        std::lock_guard lock(mutex_);
        const auto expired = peers_.expired(now, settings_.node_timeout);
        if (expired.empty()) return;
        // The leader is chosen among the nodes still alive, so a dead leader is replaced.
        const bool leader = peers_.leader(node_id_, now, settings_.node_timeout) == node_id_;
        for (const auto& node : expired) {
            auto done = pending_.forget_node(node);
            for (auto& c : done) orphaned.push_back(std::move(c));
            if (!leader) continue;  // the leader's NodeDead tells us
            peers_.remove(node);
            dead.emplace_back(node, registry_.remove(node));
        }
    }
    run_all(orphaned);
    for (const auto& [node, slice] : dead) {
        spdlog::warn("cluster: node {} silent for over {} ms; removing its members", node,
                     settings_.node_timeout.count());
        stats_.dead_nodes.fetch_add(1);
        clean_up_after(slice);
        RequestMessage notice = control(RequestType::NodeDead, "cluster");
        notice.dead_node_id = node;
        transport_->publish(Channel::Requests, encode(notice));
    }
}

void ClusterNode::clean_up_after(const NodeSlice& slice) {
    for (const auto& [app_id, channels] : slice.members) {
        for (const auto& [channel, users] : channels) {
            for (const auto& [user, info] : users) {
                bool still_here;
                {
                    std::lock_guard lock(mutex_);
                    still_here = own_.has_member(app_id, channel, user) ||
                                 registry_.has_member(app_id, channel, user);
                }
                if (!still_here) announce_member_removed(app_id, channel, user);
            }
        }
    }
    for (const auto& [app_id, channels] : slice.channels) {
        for (const auto& channel : channels) {
            bool still_occupied;
            {
                std::lock_guard lock(mutex_);
                still_occupied =
                    own_.has_channel(app_id, channel) || registry_.has_channel(app_id, channel);
            }
            if (!still_occupied) announce_vacated(app_id, channel);
        }
    }
}

void ClusterNode::announce_member_removed(const std::string& app_id, const std::string& channel,
                                          const std::string& user_id) {
    core::AppPtr app = engine_.apps().find_by_id(app_id);
    if (!app) return;
    engine_.publish(
        {app,
         channel,
         transport::make_text_frame(protocol::server_message::member_removed(channel, user_id)),
         {}});
    engine_.hooks().member_removed(app->app(), channel, user_id);
}

void ClusterNode::announce_vacated(const std::string& app_id, const std::string& channel) {
    core::AppPtr app = engine_.apps().find_by_id(app_id);
    if (app) engine_.hooks().channel_vacated(app->app(), channel);
}

void ClusterNode::on_remote_leave(const RequestMessage& r) {
    const bool member = r.type == RequestType::PresenceMemberLeft;
    const std::string key =
        member ? member_key(r.app_id, r.channel, r.user_id) : channel_key(r.app_id, r.channel);
    bool announce_here = false;
    {
        std::lock_guard lock(mutex_);
        NodeSlice& slice = registry_.slice(r.node_id);
        if (member) {
            slice.leave(r.app_id, r.channel, r.user_id);
        } else {
            slice.vacate(r.app_id, r.channel);
        }
        if (r.user_info_json == kQuiet) {
            const bool nobody = member ? !own_.has_member(r.app_id, r.channel, r.user_id) &&
                                             !registry_.has_member(r.app_id, r.channel, r.user_id)
                                       : !own_.has_channel(r.app_id, r.channel) &&
                                             !registry_.has_channel(r.app_id, r.channel);
            announce_here = arbiter_.quiet_elsewhere(key, r.node_id, nobody, node_id_);
        } else {
            arbiter_.announced_elsewhere(key);
        }
    }
    if (!announce_here) return;
    if (member) {
        announce_member_removed(r.app_id, r.channel, r.user_id);
    } else {
        announce_vacated(r.app_id, r.channel);
    }
}

void ClusterNode::on_control(const RequestMessage& r) {
    const auto now = Clock::now();
    switch (r.type) {
        case RequestType::Heartbeat: {
            bool first;
            {
                std::lock_guard lock(mutex_);
                first = peers_.seen(r.node_id, now);
            }
            if (first) {
                spdlog::info("cluster: new node {} detected", r.node_id);
                // Lets a node that just started learn us in one round trip (§3.4 [R]).
                send_heartbeat(false);
            }
            if (first || r.user_info_json == kResync) send_sync(r.node_id);
            return;
        }
        case RequestType::NodeDead: {
            if (r.dead_node_id == node_id_) return;  // a partitioned peer; our heartbeats fix it
            std::vector<PendingRequests::Completion> orphaned;
            {
                std::lock_guard lock(mutex_);
                peers_.remove(r.dead_node_id);
                registry_.remove(r.dead_node_id);
                orphaned = pending_.forget_node(r.dead_node_id);
            }
            if (r.dead_node_id == r.node_id) spdlog::info("cluster: node {} left", r.node_id);
            run_all(orphaned);
            return;
        }
        case RequestType::PresenceStateSync: {
            auto slice = decode_slice(r.user_info_json);
            if (!slice) {
                stats_.invalid_messages.fetch_add(1);
                return;
            }
            std::lock_guard lock(mutex_);
            registry_.replace(r.node_id, std::move(*slice));
            return;
        }
        case RequestType::PresenceMemberLeft:
        case RequestType::ChannelVacated:
            on_remote_leave(r);
            return;
        default:
            break;
    }
    std::lock_guard lock(mutex_);
    NodeSlice& slice = registry_.slice(r.node_id);
    switch (r.type) {
        case RequestType::PresenceMemberJoined:
            slice.join(r.app_id, r.channel, r.user_id,
                       r.user_info_json.empty() ? "{}" : r.user_info_json);
            break;
        case RequestType::ChannelOccupied:
            slice.occupy(r.app_id, r.channel);
            break;
        default:
            break;
    }
}

}  // namespace sockudo::cluster
