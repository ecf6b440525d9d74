// Subscribe and unsubscribe (protocol-v1 §7).
#include <boost/json.hpp>

#include "core/engine.hpp"
#include "core/session.hpp"
#include "protocol/channel_name.hpp"
#include "protocol/client_message.hpp"
#include "protocol/presence.hpp"
#include "protocol/server_message.hpp"
#include "protocol/signature.hpp"
#include "transport/worker.hpp"

namespace sockudo::core {

namespace sm = protocol::server_message;

namespace {
constexpr std::string_view kAuthError = "AuthError";
constexpr std::string_view kLimitReached = "LimitReached";
constexpr std::string_view kInvalidChannel = "InvalidChannel";
constexpr size_t kMaxSubscriptionsPerConnection = 1000;
constexpr std::chrono::seconds kCacheMissReportWindow{10};
}  // namespace

Session::Subscription* Session::find_subscription(std::string_view channel) {
    for (auto& s : subscriptions_) {
        if (s.channel == channel) return &s;
    }
    return nullptr;
}

void Session::replay_cache(const std::string& channel) {
    // A shared cache answers on a later loop turn of this worker: the socket may be gone, or no
    // longer subscribed, by then.
    std::weak_ptr<transport::Connection> weak = connection_->shared_from_this();
    transport::Worker* worker = &connection_->worker();
    engine_.channel_cache().get(
        app_, channel, worker, [weak, channel, worker](std::optional<CachedEvent> cached) {
            Session* self = still_open(weak);
            if (self == nullptr || self->disconnected_ ||
                self->find_subscription(channel) == nullptr)
                return;
            if (cached) {
                self->send(sm::channel_event(cached->event, channel, cached->data, nullptr));
                return;
            }
            self->send(sm::cache_miss(channel));
            // One cache_miss webhook per channel and window, for the whole cluster with a shared
            // cache.
            self->engine_.channel_cache().claim_miss_report(
                self->app_, channel, kCacheMissReportWindow, worker,
                [app = self->app_, hooks = &self->engine_.hooks(), channel](bool claimed) {
                    if (claimed) hooks->cache_miss(app->app(), channel);
                });
        });
}

void Session::subscription_error(const std::string& channel, std::string_view type,
                                 std::string_view error, int status) {
    send(sm::subscription_error(channel, type, error, status));
}

void Session::handle_subscribe(const boost::json::value& data) {
    protocol::SubscribeData request = protocol::subscribe_data(data);
    if (!request.channel) {
        send(sm::error(std::nullopt, "Missing channel"));
        return;
    }
    const std::string& channel = *request.channel;
    const auto& limits = app_->limits();
    size_t max_length = limits.max_channel_name_length > 0
                            ? static_cast<size_t>(limits.max_channel_name_length)
                            : SIZE_MAX;
    switch (protocol::validate_channel_name(channel, max_length)) {
        case protocol::ChannelNameError::None:
            break;
        case protocol::ChannelNameError::TooLong:
            subscription_error(channel, kLimitReached,
                               "The channel name is longer than the allowed " +
                                   std::to_string(max_length) + " characters.",
                               4009);
            return;
        default:
            subscription_error(channel, kInvalidChannel, "Invalid channel name", 4009);
            return;
    }
    const protocol::ChannelKind kind = protocol::classify_channel(channel);
    const bool presence = protocol::is_presence(kind);

    // Re-subscribing creates nothing new and emits nothing, but answers again.
    if (Subscription* existing = find_subscription(channel)) {
        if (existing->presence) {
            auto members = app_->channels.members(channel);
            if (ClusterLink* link = engine_.cluster())
                link->merge_remote_members(*app_, channel, members);
            std::vector<const protocol::PresenceMember*> refs;
            for (const auto& m : members) refs.push_back(&m);
            send(sm::presence_subscription_succeeded(channel, refs));
        } else {
            send(sm::subscription_succeeded(channel));
        }
        return;
    }
    if (subscriptions_.size() >= kMaxSubscriptionsPerConnection) {
        subscription_error(channel, kLimitReached, "Too many subscriptions on this connection",
                           4100);
        return;
    }

    if (kind.type == protocol::ChannelType::ServerToUser) {
        if (!user_ || protocol::server_to_user_id(channel) != user_->id) {
            subscription_error(channel, kAuthError, "Connection is not signed in as this user",
                               401);
            return;
        }
        subscriptions_.push_back({channel, {}, false, true});
        send(sm::subscription_succeeded(channel));
        return;
    }

    protocol::PresenceMember member;
    if (protocol::requires_auth(kind)) {
        const std::string auth = request.auth.value_or("");
        const std::string* channel_data =
            presence && request.channel_data ? &*request.channel_data : nullptr;
        if (auth.empty() ||
            !protocol::verify_channel_auth(app_->app().key, app_->app().secret, socket_id_, channel,
                                           channel_data, auth)) {
            subscription_error(channel, kAuthError, "Invalid signature", 401);
            return;
        }
        if (presence) {
            if (channel_data != nullptr) {
                switch (protocol::parse_channel_data(*channel_data, member)) {
                    case protocol::ChannelDataError::None:
                        break;
                    case protocol::ChannelDataError::UserIdTooLong:
                        subscription_error(channel, kLimitReached,
                                           "The user_id is longer than 128 characters.", 4009);
                        return;
                    default:
                        subscription_error(channel, kAuthError, "Invalid channel_data", 401);
                        return;
                }
            } else if (user_) {
                member.user_id = user_->id;
                member.user_info_json = user_->user_info_json;
            } else {
                subscription_error(channel, kAuthError, "Invalid channel_data", 401);
                return;
            }
            int64_t max_bytes = limits.max_presence_member_size_bytes;
            if (max_bytes > 0 && member.user_info_json.size() > static_cast<size_t>(max_bytes)) {
                subscription_error(channel, kLimitReached,
                                   "The maximum size for a channel member is " +
                                       std::to_string(max_bytes / 1024) + " KB.",
                                   4301);
                return;
            }
        }
    }

    PresenceLimits presence_limits{limits.max_presence_members_per_channel};
    SubscribeOutcome outcome =
        app_->channels.subscribe(channel, worker_, presence ? &member : nullptr, presence_limits);
    if (!outcome.ok) {
        subscription_error(channel, kLimitReached,
                           "The maximum members per presence channel limit was reached", 4100);
        return;
    }
    // Cluster-exact transitions: another node may already hold the user or the channel.
    ClusterLink* link = engine_.cluster();
    if (link != nullptr) {
        if (outcome.member_added)
            outcome.member_added = link->member_joined(*app_, channel, member);
        if (outcome.occupied) outcome.occupied = link->channel_occupied(*app_, channel);
        if (presence) link->merge_remote_members(*app_, channel, outcome.members);
    }
    subscriptions_.push_back({channel, presence ? member.user_id : std::string(), presence, false});
    app_->traffic(worker_).subscriptions[static_cast<size_t>(channel_type_of(kind))].add();
    engine_.local(worker_).add_subscriber(app_.get(), channel, this);

    if (presence) {
        std::vector<const protocol::PresenceMember*> refs;
        refs.reserve(outcome.members.size());
        for (const auto& m : outcome.members) refs.push_back(&m);
        send(sm::presence_subscription_succeeded(channel, refs));
    } else {
        send(sm::subscription_succeeded(channel));
    }
    if (outcome.occupied) engine_.hooks().channel_occupied(app_->app(), channel);
    if (!presence)
        engine_.hooks().subscription_count(app_->app(), channel, outcome.subscription_count);
    if (outcome.member_added) {
        engine_.publish({app_, channel,
                         transport::make_text_frame(
                             sm::member_added(channel, member.user_id, member.user_info_json)),
                         socket_id_});
        engine_.hooks().member_added(app_->app(), channel, member.user_id);
    }
    if (kind.cache) replay_cache(channel);
    if (protocol::requires_auth(kind)) auth_timer_.disarm();
}

void Session::handle_unsubscribe(const boost::json::value& data) {
    protocol::SubscribeData request = protocol::subscribe_data(data);
    if (!request.channel) return;
    remove_subscription(*request.channel, true);
}

void Session::remove_subscription(const std::string& channel, bool announce) {
    auto it = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                           [&](const Subscription& s) { return s.channel == channel; });
    if (it == subscriptions_.end()) return;  // not subscribed: a silent no-op
    Subscription sub = std::move(*it);
    *it = std::move(subscriptions_.back());
    subscriptions_.pop_back();
    if (sub.server_to_user) return;
    app_->traffic(worker_)
        .unsubscriptions[static_cast<size_t>(
            channel_type_of(protocol::classify_channel(sub.channel)))]
        .add();
    engine_.local(worker_).remove_subscriber(app_.get(), sub.channel, this);
    UnsubscribeOutcome outcome = app_->channels.unsubscribe(
        sub.channel, worker_, sub.presence ? &sub.presence_user_id : nullptr);
    if (ClusterLink* link = engine_.cluster()) {
        if (outcome.member_removed) {
            outcome.member_removed = link->member_left(*app_, sub.channel, sub.presence_user_id);
        }
        if (outcome.vacated) outcome.vacated = link->channel_vacated(*app_, sub.channel);
    }
    if (outcome.member_removed) {
        if (announce) {
            engine_.publish(
                {app_,
                 sub.channel,
                 transport::make_text_frame(sm::member_removed(sub.channel, sub.presence_user_id)),
                 {}});
        }
        engine_.hooks().member_removed(app_->app(), sub.channel, sub.presence_user_id);
    }
    if (outcome.changed && !sub.presence) {
        engine_.hooks().subscription_count(app_->app(), sub.channel, outcome.subscription_count);
    }
    if (outcome.vacated) engine_.hooks().channel_vacated(app_->app(), sub.channel);
}

}  // namespace sockudo::core
