// Broadcasts and cluster-wide questions: what a node sends, and how it handles what arrives.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "cluster/cluster_node.hpp"
#include "protocol/channel_name.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/wire_names.hpp"

namespace sockudo::cluster {

namespace {

double now_ms() {
    using namespace std::chrono;
    return static_cast<double>(
               duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()) /
           1000.0;
}

RequestType request_type_for(core::ClusterQuery query) {
    switch (query) {
        case core::ClusterQuery::ChannelsWithSocketsCount:
            return RequestType::ChannelsWithSocketsCount;
        case core::ClusterQuery::ChannelSocketsCount:
            return RequestType::BatchChannelSocketsCount;
        case core::ClusterQuery::ChannelMembers:
            return RequestType::ChannelMembers;
        case core::ClusterQuery::TerminateUser:
            return RequestType::TerminateUserConnections;
    }
    return RequestType::ChannelsWithSocketsCount;
}

// A cache channel's last event, taken from the Pusher frame another node delivered: this node's
// copy (the only one with the memory cache, the fallback with a shared one).
void remember_cached(core::AppRuntime& app, const std::string& channel, const std::string& message,
                     std::chrono::seconds ttl) {
    boost::system::error_code ec;
    boost::json::value v = protocol::parse_json(message, ec);
    if (ec || !v.is_object()) return;
    const auto& o = v.get_object();
    auto event = o.find("event");
    auto data = o.find("data");
    if (event == o.end() || !event->value().is_string()) return;
    std::string event_name(event->value().get_string());
    // Only what the HTTP API published is cached: not presence or protocol events, not client
    // events.
    if (event_name.rfind("pusher", 0) == 0 || event_name.rfind("client-", 0) == 0) return;
    std::string text;
    if (data != o.end()) {
        text = data->value().is_string() ? std::string(data->value().get_string())
                                         : boost::json::serialize(data->value());
    }
    app.cache.put(channel, {std::move(event_name), std::move(text)}, ttl);
}

}  // namespace

void ClusterNode::broadcast(const core::AppRuntime& app, std::string_view channel,
                            std::string_view payload, std::string_view except_socket_id) {
    // Always sent, also before any peer is known: skipping would lose the first events a
    // freshly started node publishes (the start-up blind window of §3.4 [Q]).
    BroadcastMessage m{node_id_,
                       app.app().id,
                       std::string(channel),
                       std::string(payload),
                       std::string(except_socket_id),
                       now_ms()};
    if (transport_->publish(Channel::Broadcast, encode(m))) {
        stats_.broadcasts_sent.fetch_add(1, std::memory_order_relaxed);
    } else {
        stats_.broadcasts_dropped.fetch_add(1, std::memory_order_relaxed);
    }
}

void ClusterNode::on_message(Channel channel, std::string_view payload) {
    if (channel == Channel::Broadcast) {
        auto m = decode_broadcast(payload);
        if (!m) {
            stats_.invalid_messages.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        if (m->node_id != node_id_) on_broadcast(*m);
        return;
    }
    if (channel == Channel::Responses) {
        auto m = decode_response(payload);
        if (!m) {
            stats_.invalid_messages.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        if (m->node_id == node_id_) return;
        stats_.responses_received.fetch_add(1, std::memory_order_relaxed);
        std::vector<PendingRequests::Completion> done;
        {
            std::lock_guard lock(mutex_);
            done = pending_.on_response(*m);
        }
        stats_.requests_complete.fetch_add(done.size(), std::memory_order_relaxed);
        for (auto& c : done) c.run();
        return;
    }
    auto m = decode_request(payload);
    if (!m) {
        stats_.invalid_messages.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    if (m->node_id == node_id_) return;
    if (!m->target_node_id.empty() && m->target_node_id != node_id_) return;
    on_request(*m);
}

void ClusterNode::on_broadcast(const BroadcastMessage& m) {
    stats_.broadcasts_received.fetch_add(1, std::memory_order_relaxed);
    core::AppPtr app = engine_.apps().find_by_id(m.app_id);
    if (!app) return;  // an app this node does not serve
    auto frame = transport::make_text_frame(m.message);
    const protocol::ChannelKind kind = protocol::classify_channel(m.channel);
    if (kind.type == protocol::ChannelType::ServerToUser) {
        engine_.send_to_user(app, std::string(protocol::server_to_user_id(m.channel)),
                             std::move(frame),
                             /*cluster=*/false);
        return;
    }
    // A subscriber arriving later on this node gets the last event, wherever it was published.
    if (kind.cache) {
        const auto ttl =
            std::chrono::seconds(std::max<int64_t>(1, engine_.options().limits.cache_ttl_seconds));
        remember_cached(*app, m.channel, m.message, ttl);
    }
    core::Publication publication{app, m.channel, std::move(frame), m.except_socket_id};
    publication.from_cluster = true;
    engine_.publish(std::move(publication));
}

void ClusterNode::on_request(const RequestMessage& r) {
    if (fire_and_forget(r.type)) {
        on_control(r);
        return;
    }
    stats_.requests_received.fetch_add(1, std::memory_order_relaxed);
    answer(r);
}

void ClusterNode::answer(const RequestMessage& r) {
    ResponseMessage response;
    response.request_id = r.request_id;
    response.node_id = node_id_;
    response.app_id = r.app_id;
    core::AppPtr app = engine_.apps().find_by_id(r.app_id);
    if (app) {
        switch (r.type) {
            case RequestType::ChannelsWithSocketsCount:
                for (const auto& c : app->channels.channels("")) {
                    response.channels_with_sockets_count[c.name] = c.subscription_count;
                }
                break;
            case RequestType::BatchChannelSocketsCount:
                for (const auto& c : r.channels) {
                    if (uint64_t n = app->channels.subscription_count(c))
                        response.channels_with_sockets_count[c] = n;
                }
                break;
            case RequestType::ChannelSocketsCount:
                response.sockets_count = app->channels.subscription_count(r.channel);
                break;
            case RequestType::ChannelMembers:
                for (auto& m : app->channels.members(r.channel)) {
                    response.members[m.user_id] = std::move(m.user_info_json);
                }
                break;
            case RequestType::TerminateUserConnections:
                engine_.terminate_user(app, r.user_id);
                response.exists = true;
                break;
            default:
                break;
        }
    }
    transport_->publish(Channel::Responses, encode(response));
}

void ClusterNode::query(const core::AppRuntime& app, core::ClusterQueryArgs args,
                        std::function<void(core::ClusterAnswer)> done) {
    RequestMessage m = control(request_type_for(args.type), app.app().id);
    m.channels = std::move(args.channels);
    if (args.type == core::ClusterQuery::ChannelMembers && !m.channels.empty())
        m.channel = m.channels.front();
    m.user_id = std::move(args.user_id);
    std::set<std::string> expected;
    bool added = false;
    const auto now = Clock::now();
    {
        std::lock_guard lock(mutex_);
        for (auto& peer : peers_.live(now, live_window())) expected.insert(std::move(peer));
        if (!expected.empty() && up_.load()) {
            added = pending_.add(m.request_id, expected, now + settings_.request_timeout, done);
        }
    }
    if (!added) {
        core::ClusterAnswer answer;
        answer.expected = expected.size();
        answer.complete = expected.empty();
        if (!answer.complete) stats_.requests_partial.fetch_add(1, std::memory_order_relaxed);
        done(std::move(answer));
        return;
    }
    stats_.requests_sent.fetch_add(1, std::memory_order_relaxed);
    // A refused publish leaves the entry to the deadline: it completes incomplete.
    if (!transport_->publish(Channel::Requests, encode(m))) {
        spdlog::debug("cluster: request {} not sent", m.request_id);
    }
}

}  // namespace sockudo::cluster
