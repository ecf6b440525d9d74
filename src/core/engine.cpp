#include "core/engine.hpp"

#include <algorithm>

#include "core/session.hpp"
#include "protocol/close_codes.hpp"
#include "protocol/server_message.hpp"
#include "protocol/wire_names.hpp"
#include "transport/connection.hpp"
#include "transport/worker.hpp"

namespace sockudo::core {

Engine::Engine(const config::Options& options, AppRegistry& apps,
               std::vector<transport::Worker*> workers, EventHooks& hooks)
    : options_(options),
      apps_(apps),
      workers_(std::move(workers)),
      hooks_(hooks),
      unknown_app_traffic_(
          std::make_unique<TrafficCounters[]>(std::max<size_t>(1, workers_.size()))) {
    std::random_device seed;
    for (size_t i = 0; i < workers_.size(); ++i) {
        locals_.push_back(std::make_unique<LocalIndex>());
        auto source = std::make_unique<IdSource>();
        source->random.seed((static_cast<uint64_t>(seed()) << 32) ^ seed());
        ids_.push_back(std::move(source));
    }
}

std::string Engine::next_socket_id(unsigned worker) {
    IdSource& source = *ids_[worker];
    uint64_t left = source.random() % 10'000'000'000ULL + 1;
    uint64_t right = ++source.counter * workers_.size() + worker;
    return std::to_string(left) + "." + std::to_string(right);
}

namespace {

// The payload of an unmasked server frame (RFC 6455 §5.2): what other nodes rebuild it from.
std::string_view frame_payload(const transport::Frame& frame) {
    if (frame.size() < 2) return {};
    const auto length_code = static_cast<uint8_t>(frame[1]) & 0x7F;
    const size_t header = length_code == 127 ? 10 : length_code == 126 ? 4 : 2;
    return frame.size() < header ? std::string_view() : std::string_view(frame).substr(header);
}

}  // namespace

void Engine::publish(Publication publication) {
    // The other nodes get it whether or not this node has subscribers.
    if (cluster_ != nullptr && !publication.from_cluster) {
        cluster_->broadcast(*publication.app, publication.channel,
                            frame_payload(*publication.frame), publication.except_socket_id);
    }
    WorkerMask mask = publication.app->channels.workers_for(publication.channel);
    if (mask == 0) return;
    if (publication.published_at == std::chrono::steady_clock::time_point{}) {
        publication.published_at = std::chrono::steady_clock::now();
    }
    auto shared = std::make_shared<const Publication>(std::move(publication));
    for (unsigned w = 0; w < workers_.size() && mask != 0; ++w) {
        if ((mask & (WorkerMask{1} << w)) == 0) continue;
        mask &= ~(WorkerMask{1} << w);
        workers_[w]->post([this, w, shared] { deliver_local(w, *shared); });
    }
}

void Engine::deliver_local(unsigned worker, const Publication& publication) {
    const LocalIndex::Sessions* sessions =
        locals_[worker]->subscribers(publication.app.get(), publication.channel);
    if (sessions == nullptr) return;
    // Sending never modifies the subscriber list: a slow-consumer close is deferred.
    size_t recipients = 0;
    if (publication.except_socket_id.empty()) {
        for (Session* session : *sessions) session->connection().send(publication.frame);
        recipients = sessions->size();
    } else {
        for (Session* session : *sessions) {
            if (session->socket_id() != publication.except_socket_id) {
                session->connection().send(publication.frame);
                ++recipients;
            }
        }
    }
    if (recipients == 0) return;
    TrafficCounters& traffic = publication.app->traffic(worker);
    traffic.ws_messages_sent.add(recipients);
    traffic.ws_bytes_sent.add(recipients * publication.frame->size());
    const auto type = channel_type_of(protocol::classify_channel(publication.channel));
    const auto elapsed = std::chrono::steady_clock::now() - publication.published_at;
    traffic
        .broadcast_latency[static_cast<size_t>(type)]
                          [static_cast<size_t>(recipient_bucket(recipients))]
        .observe_ns(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
}

void Engine::send_to_user(const AppPtr& app, const std::string& user_id, transport::FramePtr frame,
                          bool cluster) {
    if (cluster && cluster_ != nullptr) {
        cluster_->broadcast(*app, std::string(protocol::wire::kServerToUserPrefix) + user_id,
                            frame_payload(*frame), {});
    }
    WorkerMask mask = app->users.workers_for(user_id);
    for (unsigned w = 0; w < workers_.size() && mask != 0; ++w) {
        if ((mask & (WorkerMask{1} << w)) == 0) continue;
        mask &= ~(WorkerMask{1} << w);
        workers_[w]->post([this, w, app, user_id, frame] {
            const LocalIndex::Sessions* sessions = locals_[w]->user_sessions(app.get(), user_id);
            if (sessions == nullptr) return;
            for (Session* session : *sessions) session->connection().send(frame);
            TrafficCounters& traffic = app->traffic(w);
            traffic.ws_messages_sent.add(sessions->size());
            traffic.ws_bytes_sent.add(sessions->size() * frame->size());
        });
    }
}

void Engine::terminate_user(const AppPtr& app, const std::string& user_id) {
    WorkerMask mask = app->users.workers_for(user_id);
    for (unsigned w = 0; w < workers_.size() && mask != 0; ++w) {
        if ((mask & (WorkerMask{1} << w)) == 0) continue;
        mask &= ~(WorkerMask{1} << w);
        workers_[w]->post([this, w, app, user_id] {
            const LocalIndex::Sessions* sessions = locals_[w]->user_sessions(app.get(), user_id);
            if (sessions == nullptr) return;
            // Closing removes the session from this list: work on a copy.
            LocalIndex::Sessions victims = *sessions;
            for (Session* session : victims) {
                session->reject(protocol::close_code::kUnauthorized,
                                "You got disconnected by the app.");
            }
        });
    }
}

}  // namespace sockudo::core
