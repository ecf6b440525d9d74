#pragma once
// The Pusher protocol state of one WebSocket connection: admission, liveness, subscriptions,
// presence identity, sign-in and client events. Lives inside its transport connection and runs
// on that connection's worker thread only.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/app_registry.hpp"
#include "core/app_runtime.hpp"
#include "transport/connection.hpp"
#include "transport/timer_wheel.hpp"

namespace boost::json {
class value;
}

namespace sockudo::core {

class Engine;

// What the upgrade request asked for, captured before the upgrade completes.
struct ConnectRequest {
    std::string app_key;
    std::string protocol;  // raw `protocol` query value; empty when absent
    bool has_protocol = false;
    std::string origin;
    std::string client;
    std::string version;
};

class Session final : public transport::SessionBase, private transport::TimerTarget {
public:
    Session(Engine& engine, ConnectRequest request);
    ~Session() override;

    void on_open(transport::Connection& connection) override;
    void on_message(transport::Connection& connection, std::string_view message) override;
    void on_disconnect(transport::Connection& connection) override;

    transport::Connection& connection() { return *connection_; }
    const std::string& socket_id() const { return socket_id_; }
    const AppPtr& app() const { return app_; }
    bool signed_in() const { return user_ != nullptr; }
    const std::string* user_id() const { return user_ ? &user_->id : nullptr; }

    // Sends pusher:error with `code` then closes with the same code.
    void reject(uint16_t code, std::string_view message);

private:
    struct Subscription {
        std::string channel;
        std::string presence_user_id;  // set on presence channels
        bool presence = false;
        bool server_to_user = false;  // routed by user, not by the channel directory
    };
    struct SignedInUser {
        std::string id;
        std::string user_info_json;
        std::vector<std::string> watchlist;
    };
    enum TimerKind : int { kActivityTimer = 1, kAuthTimer = 2 };

    // The session of a connection still open, for answers that arrive on a later loop turn (the
    // session lives inside the connection, which may be gone by then); null otherwise.
    static Session* still_open(const std::weak_ptr<transport::Connection>& connection);
    void on_timer(int kind) override;
    // The app lookup's answer: admission, then pusher:connection_established.
    void on_app(AppPtr app, LookupStatus status);
    bool admit(AppPtr app, LookupStatus status);
    void send(std::string_view json);
    void count_error(ConnectionError error);

    void handle_subscribe(const boost::json::value& data);
    void handle_unsubscribe(const boost::json::value& data);
    void handle_signin(const boost::json::value& data);
    void handle_client_event(const std::string& event, const std::string* channel,
                             const boost::json::value& data);
    void subscription_error(const std::string& channel, std::string_view type,
                            std::string_view error, int status);
    Subscription* find_subscription(std::string_view channel);
    // The cache channel's last event, or pusher:cache_miss.
    void replay_cache(const std::string& channel);
    void remove_subscription(const std::string& channel, bool announce);
    void sign_out();
    void announce_watchlist_change(const std::string& user_id, bool online);

    Engine& engine_;
    // Needed only until admission; released then, since idle connections are the common case.
    std::unique_ptr<ConnectRequest> request_;
    transport::Connection* connection_ = nullptr;
    AppPtr app_;
    std::string socket_id_;
    unsigned worker_ = 0;
    std::vector<Subscription> subscriptions_;
    std::unique_ptr<SignedInUser> user_;
    transport::TimerNode activity_timer_{this, kActivityTimer};
    transport::TimerNode auth_timer_{this, kAuthTimer};
    uint64_t reads_at_ping_ = 0;
    uint64_t client_window_start_ms_ = 0;
    uint32_t client_events_in_window_ = 0;
    bool awaiting_pong_ = false;
    bool admitted_ = false;
    bool disconnected_ = false;
};

}  // namespace sockudo::core
