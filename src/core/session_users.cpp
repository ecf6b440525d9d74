// Sign-in, watchlists and client events (protocol-v1 §8, §9).
#include <boost/json.hpp>

#include "core/engine.hpp"
#include "core/session.hpp"
#include "protocol/channel_name.hpp"
#include "protocol/client_message.hpp"
#include "protocol/close_codes.hpp"
#include "protocol/presence.hpp"
#include "protocol/server_message.hpp"
#include "protocol/signature.hpp"
#include "transport/worker.hpp"

namespace sockudo::core {

namespace sm = protocol::server_message;

namespace {
constexpr size_t kMaxWatchlist = 100;
constexpr int kClientEventRejected = 4301;
}  // namespace

void Session::handle_signin(const boost::json::value& data) {
    protocol::SigninData request = protocol::signin_data(data);
    const int code = protocol::close_code::kUnauthorized;
    if (!request.auth || !request.user_data) {
        send(sm::error(code, "Invalid sign-in request: auth and user_data are required"));
        return;
    }
    if (!protocol::verify_user_auth(app_->app().key, app_->app().secret, socket_id_,
                                    *request.user_data, *request.auth)) {
        send(sm::error(code, "Invalid signature"));
        return;
    }
    protocol::UserData parsed;
    if (protocol::parse_user_data(*request.user_data, parsed) != protocol::UserDataError::None) {
        send(
            sm::error(code, "Invalid user_data: an object with a non-empty string id is required"));
        return;
    }
    if (user_ && user_->id != parsed.id) {
        send(sm::error(code, "The connection is already signed in as another user"));
        return;
    }
    bool truncated = false;
    if (parsed.watchlist.size() > kMaxWatchlist) {
        parsed.watchlist.resize(kMaxWatchlist);
        truncated = true;
    }
    const bool watch = app_->app().enable_watchlist_events;
    bool came_online = false;
    if (user_) {
        if (watch) app_->users.unwatch(user_->id, user_->watchlist);
    } else {
        came_online = app_->users.add(parsed.id, worker_);
        engine_.local(worker_).add_user(app_.get(), parsed.id, this);
        user_ = std::make_unique<SignedInUser>();
        user_->id = parsed.id;
    }
    user_->user_info_json = std::move(parsed.user_info_json);
    user_->watchlist = std::move(parsed.watchlist);
    auth_timer_.disarm();
    send(sm::signin_success(*request.user_data));
    if (!watch) return;
    if (truncated) {
        send(
            sm::error(4302, "Watchlist limit exceeded. Only the first 100 user IDs are accepted."));
    }
    if (!user_->watchlist.empty()) {
        app_->users.watch(user_->id, user_->watchlist);
        std::vector<std::string> online, offline;
        for (const auto& id : user_->watchlist) {
            (app_->users.online(id) ? online : offline).push_back(id);
        }
        std::vector<std::pair<std::string, std::vector<std::string>>> events;
        if (!online.empty()) events.emplace_back("online", std::move(online));
        if (!offline.empty()) events.emplace_back("offline", std::move(offline));
        send(sm::watchlist_events(events));
    }
    if (came_online) announce_watchlist_change(user_->id, true);
}

void Session::announce_watchlist_change(const std::string& user_id, bool online) {
    std::vector<std::string> watchers = app_->users.watchers_of(user_id);
    if (watchers.empty()) return;
    std::vector<std::pair<std::string, std::vector<std::string>>> events;
    events.emplace_back(online ? "online" : "offline", std::vector<std::string>{user_id});
    auto frame = transport::make_text_frame(sm::watchlist_events(events));
    for (const auto& watcher : watchers) engine_.send_to_user(app_, watcher, frame);
}

void Session::sign_out() {
    if (!user_) return;
    engine_.local(worker_).remove_user(app_.get(), user_->id, this);
    const bool watch = app_->app().enable_watchlist_events;
    if (watch && !user_->watchlist.empty()) app_->users.unwatch(user_->id, user_->watchlist);
    if (app_->users.remove(user_->id, worker_) && watch) {
        announce_watchlist_change(user_->id, false);
    }
    user_.reset();
}

void Session::handle_client_event(const std::string& event, const std::string* channel,
                                  const boost::json::value& data) {
    auto reject_event = [&](std::string_view reason) {
        if (channel != nullptr) {
            send(sm::channel_error(*channel, kClientEventRejected, reason));
        } else {
            send(sm::error(kClientEventRejected, reason));
        }
    };
    const auto& limits = app_->limits();
    if (!app_->app().enable_client_messages) {
        reject_event("The app does not have client messaging enabled.");
        return;
    }
    if (limits.max_client_events_per_second > 0) {
        uint64_t now = connection_->worker().now_ms();
        if (now - client_window_start_ms_ >= static_cast<uint64_t>(limits.client_event_window_ms)) {
            client_window_start_ms_ = now;
            client_events_in_window_ = 0;
        }
        if (++client_events_in_window_ >
            static_cast<uint64_t>(limits.max_client_events_per_second)) {
            app_->traffic(worker_).client_events_rate_limited.add();
            count_error(ConnectionError::RateLimited);
            reject_event("Client event rejected due to rate limit");
            if (limits.terminate_on_client_event_limit) {
                connection_->close(kClientEventRejected,
                                   "Connection closed due to client event rate limit");
            }
            return;
        }
    }
    if (channel == nullptr) {
        reject_event("Client events are only allowed on private and presence channels");
        return;
    }
    const protocol::ChannelKind kind = protocol::classify_channel(*channel);
    if (kind.type == protocol::ChannelType::Encrypted) {
        reject_event("Client events are not supported on encrypted channels");
        return;
    }
    if (!protocol::client_events_allowed(kind)) {
        reject_event("Client events are only allowed on private and presence channels");
        return;
    }
    Subscription* sub = find_subscription(*channel);
    if (sub == nullptr) {
        reject_event("Client is not subscribed to channel");
        return;
    }
    if (limits.max_event_name_length > 0 &&
        event.size() > static_cast<size_t>(limits.max_event_name_length)) {
        reject_event("Event name is too long. Maximum allowed size is " +
                     std::to_string(limits.max_event_name_length) + ".");
        return;
    }
    std::string payload = protocol::data_as_string(data);
    if (limits.max_event_payload_bytes > 0 &&
        payload.size() > static_cast<size_t>(limits.max_event_payload_bytes)) {
        reject_event("The event data should be less than " +
                     std::to_string(limits.max_event_payload_bytes / 1024) + " KB.");
        return;
    }
    const std::string* sender = sub->presence ? &sub->presence_user_id : nullptr;
    engine_.publish(
        {app_, *channel,
         transport::make_text_frame(sm::channel_event(event, *channel, payload, sender)),
         socket_id_});
    engine_.hooks().client_event(app_->app(), *channel, event, payload, socket_id_, sender);
}

}  // namespace sockudo::core
