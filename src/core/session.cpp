#include "core/session.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <charconv>

#include "config/origin_pattern.hpp"
#include "core/engine.hpp"
#include "protocol/client_message.hpp"
#include "protocol/close_codes.hpp"
#include "protocol/server_message.hpp"
#include "protocol/wire_names.hpp"
#include "transport/worker.hpp"

namespace sockudo::core {

namespace cc = protocol::close_code;

namespace {

// Pusher's recommended pong wait (protocol-v1 §3.6).
constexpr uint64_t kDefaultPongTimeoutMs = 30'000;

enum class VersionCheck { Ok, Invalid, Unsupported };

VersionCheck check_protocol_version(const ConnectRequest& request) {
    if (!request.has_protocol) return VersionCheck::Ok;
    const std::string& p = request.protocol;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size()) return VersionCheck::Invalid;
    if (value == 1 || (value >= 4 && value <= 7)) return VersionCheck::Ok;
    return VersionCheck::Unsupported;  // 2 (Protocol V2, not served yet), 0, 3, > 7
}

}  // namespace

Session::Session(Engine& engine, ConnectRequest request)
    : engine_(engine), request_(std::make_unique<ConnectRequest>(std::move(request))) {}

Session::~Session() = default;

void Session::send(std::string_view json) {
    connection_->send_text(json);
    if (app_) {
        TrafficCounters& traffic = app_->traffic(worker_);
        traffic.ws_messages_sent.add();
        traffic.ws_bytes_sent.add(json.size());
    }
}

void Session::count_error(ConnectionError error) {
    TrafficCounters& traffic = app_ ? app_->traffic(worker_) : engine_.unknown_app_traffic(worker_);
    traffic.connection_errors[static_cast<size_t>(error)].add();
}

void Session::reject(uint16_t code, std::string_view message) {
    send(protocol::server_message::error(code, message));
    connection_->close(code, message);
}

// ---------------------------------------------------------------------------------------------
// Admission (protocol-v1 §3.2, in the spec's order)

void Session::on_open(transport::Connection& connection) {
    connection_ = &connection;
    worker_ = connection.worker().index();
    if (engine_.draining()) {
        request_.reset();
        reject(cc::kReconnectImmediately, "Server is closing. Please reconnect shortly.");
        return;
    }
    // A cache miss answers later on this worker.
    std::weak_ptr<transport::Connection> weak = connection.shared_from_this();
    engine_.apps().find_by_key(request_->app_key, connection.worker(),
                               [weak](AppPtr app, LookupStatus status) {
                                   if (Session* self = still_open(weak))
                                       self->on_app(std::move(app), status);
                               });
}

Session* Session::still_open(const std::weak_ptr<transport::Connection>& connection) {
    auto c = connection.lock();
    if (!c || !c->is_open() || c->session() == nullptr) return nullptr;
    return static_cast<Session*>(c->session());
}

void Session::on_app(AppPtr app, LookupStatus status) {
    if (disconnected_ || admitted_ || !request_) return;
    const bool admitted = admit(std::move(app), status);
    request_.reset();
    if (!admitted) return;
    socket_id_ = engine_.next_socket_id(worker_);
    const auto& options = engine_.options();
    send(protocol::server_message::connection_established(
        socket_id_, static_cast<uint64_t>(options.activity_timeout_s)));
    auto& wheel = connection_->worker().wheel();
    wheel.arm(activity_timer_, static_cast<uint64_t>(options.activity_timeout_s) * 1000);
    if (app_->app().enable_user_authentication) {
        wheel.arm(auth_timer_, static_cast<uint64_t>(options.user_authentication_timeout_s) * 1000);
    }
}

bool Session::admit(AppPtr app, LookupStatus status) {
    if (engine_.draining()) {
        reject(cc::kReconnectImmediately, "Server is closing. Please reconnect shortly.");
        return false;
    }
    if (status == LookupStatus::Busy) {
        // Too many app lookups in flight: a 4100 tells the client to back off and retry.
        count_error(ConnectionError::OverCapacity);
        reject(cc::kOverCapacity, "Over capacity");
        return false;
    }
    app_ = std::move(app);
    if (!app_) {
        count_error(ConnectionError::AppNotFound);
        reject(cc::kAppNotFound, "App key " + request_->app_key + " does not exist.");
        return false;
    }
    if (!app_->app().enabled) {
        count_error(ConnectionError::AppDisabled);
        reject(cc::kAppDisabled, "The app is not enabled.");
        return false;
    }
    switch (check_protocol_version(*request_)) {
        case VersionCheck::Invalid:
            count_error(ConnectionError::AppValidationFailed);
            reject(cc::kInvalidVersionFormat, "Invalid version string format");
            return false;
        case VersionCheck::Unsupported:
            count_error(ConnectionError::AppValidationFailed);
            reject(cc::kUnsupportedProtocol, "Unsupported protocol version");
            return false;
        case VersionCheck::Ok:
            break;
    }
    if (app_->app().ssl_only && !connection_->tls()) {
        count_error(ConnectionError::AppValidationFailed);
        reject(cc::kSslOnly, "Application only accepts SSL connections, reconnect using wss://");
        return false;
    }
    if (!app_->app().allowed_origins.empty() &&
        !config::origin_allowed(app_->app().allowed_origins, request_->origin)) {
        count_error(ConnectionError::OriginNotAllowed);
        reject(cc::kUnauthorized, "Origin not allowed");
        return false;
    }
    int64_t app_cap = app_->limits().max_connections;
    if (app_cap > 0 && app_->connections.load() >= app_cap) {
        count_error(ConnectionError::OverQuota);
        reject(cc::kOverQuota, "Application is over connection quota");
        return false;
    }
    int64_t node_cap = engine_.options().max_connections;
    if (node_cap > 0 && engine_.connections().load() >= node_cap) {
        count_error(ConnectionError::OverCapacity);
        reject(cc::kOverCapacity, "Over capacity");
        return false;
    }
    app_->connections.fetch_add(1);
    engine_.connections().fetch_add(1);
    admitted_ = true;
    app_->traffic(worker_).new_connections.add();
    return true;
}

// ---------------------------------------------------------------------------------------------
// Liveness

void Session::on_timer(int kind) {
    if (!connection_->is_open()) return;
    auto& worker = connection_->worker();
    if (kind == kAuthTimer) {
        if (!user_) reject(cc::kUnauthorized, "Connection not authorized within timeout.");
        return;
    }
    const uint64_t now = worker.now_ms();
    const uint64_t last = connection_->last_activity_ms();
    const uint64_t timeout_ms = static_cast<uint64_t>(engine_.options().activity_timeout_s) * 1000;
    if (awaiting_pong_) {
        if (connection_->read_count() != reads_at_ping_) {
            awaiting_pong_ = false;
        } else {
            connection_->close(cc::kPongTimeout, "Pong reply not received");
            return;
        }
    }
    uint64_t idle = now > last ? now - last : 0;
    if (idle >= timeout_ms) {
        send(protocol::server_message::ping());
        awaiting_pong_ = true;
        reads_at_ping_ = connection_->read_count();  // any later read is the answer
        uint64_t pong_ms = engine_.options().pong_timeout_ms > 0
                               ? static_cast<uint64_t>(engine_.options().pong_timeout_ms)
                               : kDefaultPongTimeoutMs;
        worker.wheel().arm(activity_timer_, pong_ms);
        return;
    }
    worker.wheel().arm(activity_timer_, timeout_ms - idle);
}

// ---------------------------------------------------------------------------------------------
// Dispatch

void Session::on_message(transport::Connection& /*connection*/, std::string_view message) {
    if (!admitted_) return;
    TrafficCounters& traffic = app_->traffic(worker_);
    traffic.ws_messages_received.add();
    traffic.ws_bytes_received.add(message.size());
    protocol::ClientMessage msg;
    if (protocol::parse_client_message(message, msg) != protocol::ClientMessageError::None) {
        count_error(ConnectionError::InvalidMessageFormat);
        send(protocol::server_message::error(std::nullopt, "Invalid message format"));
        return;
    }
    namespace wn = protocol::wire;
    const std::string& event = msg.event;
    if (event == wn::kPing) {
        send(protocol::server_message::pong());
    } else if (event == wn::kPong) {
        // Activity is recorded by the transport for every frame.
    } else if (event == wn::kSubscribe) {
        handle_subscribe(msg.data);
    } else if (event == wn::kUnsubscribe) {
        handle_unsubscribe(msg.data);
    } else if (event == wn::kSignin) {
        handle_signin(msg.data);
    } else if (event.rfind(wn::kClientEventPrefix, 0) == 0) {
        handle_client_event(event, msg.channel ? &*msg.channel : nullptr, msg.data);
    } else if (event.rfind("pusher:", 0) == 0 || event.rfind("pusher_internal:", 0) == 0) {
        // Unknown protocol events are ignored (protocol-v1 §5.7).
    } else {
        send(protocol::server_message::error(std::nullopt,
                                             "Events without the client- prefix are rejected"));
    }
}

// ---------------------------------------------------------------------------------------------
// Disconnect cleanup (protocol-v1 §7.6): idempotent, runs once.

void Session::on_disconnect(transport::Connection& /*connection*/) {
    if (disconnected_) return;
    disconnected_ = true;
    activity_timer_.disarm();
    auth_timer_.disarm();
    if (!admitted_) return;
    while (!subscriptions_.empty()) {
        std::string channel = subscriptions_.back().channel;
        remove_subscription(channel, true);
    }
    sign_out();
    app_->connections.fetch_sub(1);
    engine_.connections().fetch_sub(1);
    app_->traffic(worker_).disconnections.add();
}

}  // namespace sockudo::core
