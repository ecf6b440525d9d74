#include "cluster/nats_transport.hpp"

#include <nats/nats.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "cluster/backoff.hpp"

namespace sockudo::cluster {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Outbound bounds as for Redis; inbound bounds protect the server from a flood it cannot handle
// fast enough (beyond them messages are dropped and logged).
constexpr size_t kMaxQueuedMessages = 10000;
constexpr size_t kMaxQueuedBytes = 16 * 1024 * 1024;
constexpr size_t kMaxInboundMessages = 100000;
constexpr size_t kMaxInboundBytes = 64 * 1024 * 1024;
// Messages published while libnats reconnects wait in this buffer (its default is 8 MiB too).
constexpr int kReconnectBufferBytes = 8 * 1024 * 1024;
// A silent server is declared dead after kMaxPingsOut unanswered pings.
constexpr int64_t kPingIntervalMs = 5000;
constexpr int kMaxPingsOut = 2;
constexpr int64_t kWriteDeadlineMs = 5000;
constexpr int64_t kFlushTimeoutMs = 2000;
// How long stop() waits for libnats to finish its callbacks before it frees their state.
constexpr milliseconds kCloseWait{3000};

constexpr std::array<Channel, 4> kChannels{Channel::Broadcast, Channel::Requests,
                                           Channel::Responses, Channel::Node};

// What libnats' threads hand over to the handler thread. Outlives the transport if libnats does
// not confirm in time that its callbacks are done (see stop()).
struct Inbox {
    struct Event {
        enum class Kind { Message, Connected, Disconnected, Closed } kind;
        Channel channel = Channel::Broadcast;
        std::string payload;
    };
    struct Route {
        Inbox* inbox;
        Channel channel;
    };

    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Event> events;
    size_t bytes = 0;
    uint64_t overflow = 0;
    bool stopping = false;
    std::array<Route, 4> routes{};
    std::atomic<bool> up{false};  // publish() accepts messages
    // Confirmations that libnats is done with a connection / a subscription's handler.
    std::atomic<int> closed_connections{0};
    std::atomic<int> completed_subscriptions{0};

    void push(Event e) {
        {
            std::lock_guard lock(mutex);
            if (stopping) return;
            if (e.kind == Event::Kind::Message && (events.size() >= kMaxInboundMessages ||
                                                   bytes + e.payload.size() > kMaxInboundBytes)) {
                if (overflow++ % 10000 == 0) {
                    spdlog::error(
                        "cluster (nats): inbound queue full; dropping messages ({} so far)",
                        overflow);
                }
                return;
            }
            bytes += e.payload.size();
            events.push_back(std::move(e));
        }
        wake.notify_one();
    }
};

void on_nats_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* route = static_cast<Inbox::Route*>(closure);
    Inbox::Event e{
        Inbox::Event::Kind::Message, route->channel,
        std::string(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)))};
    natsMsg_Destroy(msg);
    route->inbox->push(std::move(e));
}

void on_nats_connected(natsConnection*, void* closure) {
    static_cast<Inbox*>(closure)->push({Inbox::Event::Kind::Connected, Channel::Broadcast, {}});
}

void on_nats_disconnected(natsConnection*, void* closure) {
    auto* inbox = static_cast<Inbox*>(closure);
    // At once, so publish() stops accepting before the handler thread gets to the event.
    inbox->up.store(false, std::memory_order_release);
    inbox->push({Inbox::Event::Kind::Disconnected, Channel::Broadcast, {}});
}

// libnats gave up on the connection (it reconnects forever, so this is an authorization error
// or our own close): the handler thread makes a new one unless the transport is stopping.
void on_nats_closed(natsConnection*, void* closure) {
    auto* inbox = static_cast<Inbox*>(closure);
    inbox->up.store(false, std::memory_order_release);
    inbox->push({Inbox::Event::Kind::Closed, Channel::Broadcast, {}});
    // Last: once counted, stop() may free the inbox.
    inbox->closed_connections.fetch_add(1);
}

void on_subscription_complete(void* closure) {
    static_cast<Inbox*>(closure)->completed_subscriptions.fetch_add(1);
}

// libnats counts rounds over the whole server list; the first retry comes after 500 ms.
int64_t reconnect_delay(natsConnection*, int attempts, void*) {
    const int64_t initial = Backoff::kInitial.count();
    const int shift = std::clamp(attempts - 1, 0, 16);
    return std::min<int64_t>(initial << shift, Backoff::kMax.count());
}

class NatsTransport final : public Transport {
public:
    explicit NatsTransport(const config::AdapterOptions& o)
        : servers_(o.nats_servers),
          prefix_(o.nats_prefix),
          username_(o.nats_username),
          password_(o.nats_password),
          token_(o.nats_token),
          connect_timeout_ms_(o.nats_connection_timeout_ms),
          owned_inbox_(std::make_unique<Inbox>()),
          inbox_(owned_inbox_.get()) {}

    ~NatsTransport() override { stop(); }

    void start(std::string own_node_id, Handlers handlers) override {
        if (started_ || stopped_) return;
        started_ = true;
        handlers_ = std::move(handlers);
        subjects_ = {prefix_ + ".broadcast", prefix_ + ".requests", prefix_ + ".responses",
                     prefix_ + ".node." + own_node_id};
        // Before the threads: libnats' callbacks only queue events, the handler thread reads conn_.
        connect();
        handler_thread_ = std::thread([this] { handle_events(); });
        sender_thread_ = std::thread([this] { send_queued(); });
    }

    bool publish(Channel channel, std::string payload, std::string_view target_node) override {
        if (!inbox_->up.load(std::memory_order_acquire) ||
            (channel == Channel::Node && target_node.empty())) {
            counters_.dropped.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        std::string subject = channel == Channel::Node
                                  ? prefix_ + ".node." + std::string(target_node)
                                  : subjects_[static_cast<size_t>(channel)];
        {
            std::lock_guard lock(out_mutex_);
            const size_t size = subject.size() + payload.size();
            if (out_stopping_ || outbound_.size() >= kMaxQueuedMessages ||
                out_bytes_ + size > kMaxQueuedBytes) {
                counters_.dropped.fetch_add(1, std::memory_order_relaxed);
                return false;
            }
            out_bytes_ += size;
            outbound_.push_back({std::move(subject), std::move(payload)});
        }
        out_wake_.notify_one();
        counters_.published.fetch_add(1, std::memory_order_relaxed);
        return true;
    }

    void stop() override {
        if (stopped_.exchange(true)) return;
        inbox_->up.store(false);
        {
            std::lock_guard lock(out_mutex_);
            out_stopping_ = true;
        }
        out_wake_.notify_all();
        if (sender_thread_.joinable()) sender_thread_.join();
        {
            std::lock_guard lock(inbox_->mutex);
            inbox_->stopping = true;
        }
        inbox_->wake.notify_all();
        if (handler_thread_.joinable()) handler_thread_.join();
        close_connection();
    }

    bool up() const override { return inbox_->up.load(std::memory_order_acquire); }
    const char* driver_name() const override { return "nats"; }
    TransportStats stats() const override { return counters_.snapshot(); }

private:
    struct Outbound {
        std::string subject;
        std::string payload;
    };

    bool configure(natsOptions* opts) {
        std::vector<const char*> servers;
        for (const auto& s : servers_) servers.push_back(s.c_str());
        natsStatus s =
            natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size()));
        if (s == NATS_OK && (username_ || password_)) {
            s = natsOptions_SetUserInfo(opts, username_ ? username_->c_str() : "",
                                        password_ ? password_->c_str() : "");
        }
        if (s == NATS_OK && token_) s = natsOptions_SetToken(opts, token_->c_str());
        if (s == NATS_OK) s = natsOptions_SetTimeout(opts, connect_timeout_ms_);
        if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
        if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, Backoff::kInitial.count());
        if (s == NATS_OK) s = natsOptions_SetCustomReconnectDelay(opts, reconnect_delay, nullptr);
        if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(opts, kReconnectBufferBytes);
        if (s == NATS_OK) s = natsOptions_SetPingInterval(opts, kPingIntervalMs);
        if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(opts, kMaxPingsOut);
        if (s == NATS_OK) s = natsOptions_SetWriteDeadline(opts, kWriteDeadlineMs);
        Inbox* inbox = inbox_;
        if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, on_nats_disconnected, inbox);
        if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, on_nats_connected, inbox);
        if (s == NATS_OK) s = natsOptions_SetClosedCB(opts, on_nats_closed, inbox);
        if (s == NATS_OK)
            s = natsOptions_SetRetryOnFailedConnect(opts, true, on_nats_connected, inbox);
        if (s != NATS_OK) {
            spdlog::error("cluster (nats): invalid options: {}", natsStatus_GetText(s));
            return false;
        }
        return true;
    }

    // Makes a connection (conn_mutex_ held or no other thread yet). libnats retries a failed first
    // connect in the background; subscriptions made before it succeeds are sent when it does.
    void connect() {
        natsOptions* opts = nullptr;
        if (natsOptions_Create(&opts) != NATS_OK || !configure(opts)) {
            if (opts) natsOptions_Destroy(opts);
            inbox_->push({Inbox::Event::Kind::Disconnected, Channel::Broadcast, {}});
            return;
        }
        const natsStatus s = natsConnection_Connect(&conn_, opts);
        natsOptions_Destroy(opts);
        if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
            spdlog::error("cluster (nats): cannot connect: {}", natsStatus_GetText(s));
            conn_ = nullptr;
            inbox_->push({Inbox::Event::Kind::Disconnected, Channel::Broadcast, {}});
            return;
        }
        ++connections_made_;
        for (size_t i = 0; i < subjects_.size(); ++i) subscribe(i);
        inbox_->push(
            {s == NATS_OK ? Inbox::Event::Kind::Connected : Inbox::Event::Kind::Disconnected,
             Channel::Broadcast,
             {}});
    }

    void subscribe(size_t i) {
        inbox_->routes[i] = {inbox_, kChannels[i]};
        natsSubscription* sub = nullptr;
        natsStatus s = natsConnection_Subscribe(&sub, conn_, subjects_[i].c_str(), on_nats_message,
                                                &inbox_->routes[i]);
        if (s == NATS_OK)
            s = natsSubscription_SetOnCompleteCB(sub, on_subscription_complete, inbox_);
        if (s != NATS_OK) {
            // The connection was closed under us (a refused login): the Closed event follows.
            spdlog::debug("cluster (nats): cannot subscribe to {}: {}", subjects_[i],
                          natsStatus_GetText(s));
            if (sub) natsSubscription_Destroy(sub);
            return;
        }
        ++subscriptions_made_;
        // Keep libnats' own pending queue in the range of ours.
        natsSubscription_SetPendingLimits(sub, static_cast<int>(kMaxInboundMessages),
                                          static_cast<int>(kMaxInboundBytes));
        subs_.push_back(sub);
    }

    // Frees the current connection; libnats keeps what its threads still use.
    void destroy_connection() {
        for (natsSubscription* sub : subs_) natsSubscription_Destroy(sub);
        subs_.clear();
        if (conn_) natsConnection_Destroy(conn_);
        conn_ = nullptr;
    }

    // After libnats closed the connection for good: a new one after a back-off delay.
    void reconnect_after_close() {
        {
            std::unique_lock lock(inbox_->mutex);
            if (inbox_->wake.wait_for(lock, close_backoff_.next(),
                                      [&] { return inbox_->stopping; })) {
                return;
            }
        }
        std::lock_guard lock(conn_mutex_);
        destroy_connection();
        connect();
    }

    void handle_events() {
        for (;;) {
            Inbox::Event e;
            {
                std::unique_lock lock(inbox_->mutex);
                inbox_->wake.wait(lock,
                                  [&] { return inbox_->stopping || !inbox_->events.empty(); });
                if (inbox_->stopping) return;
                e = std::move(inbox_->events.front());
                inbox_->events.pop_front();
                inbox_->bytes -= e.payload.size();
            }
            try {
                handle(e);
            } catch (const std::exception& ex) {
                spdlog::error("cluster (nats): handler failed: {}", ex.what());
            }
        }
    }

    void handle(const Inbox::Event& e) {
        switch (e.kind) {
            case Inbox::Event::Kind::Message:
                counters_.received.fetch_add(1, std::memory_order_relaxed);
                if (handlers_.on_message) handlers_.on_message(e.channel, e.payload);
                return;
            case Inbox::Event::Kind::Connected:
                // The server has our subscriptions once it answered a PING sent after them.
                if (conn_ == nullptr) return report(false);
                if (natsConnection_FlushTimeout(conn_, kFlushTimeoutMs) != NATS_OK) {
                    // Still connected: try again; otherwise a reconnect brings a new event.
                    if (natsConnection_Status(conn_) == NATS_CONN_STATUS_CONNECTED) {
                        inbox_->push({Inbox::Event::Kind::Connected, Channel::Broadcast, {}});
                    }
                    return report(false);
                }
                inbox_->up.store(true, std::memory_order_release);
                close_backoff_.reset();
                return report(true);
            case Inbox::Event::Kind::Disconnected:
                inbox_->up.store(false, std::memory_order_release);
                return report(false);
            case Inbox::Event::Kind::Closed:
                inbox_->up.store(false, std::memory_order_release);
                report(false);
                return reconnect_after_close();
        }
    }

    void report(bool up) {
        if (reported_ && *reported_ == up) return;
        if (up) {
            if (ever_up_) counters_.reconnections.fetch_add(1, std::memory_order_relaxed);
            ever_up_ = true;
            spdlog::info("cluster (nats): connected");
        } else {
            spdlog::warn("cluster (nats): no connection to {}; reconnecting in the background",
                         servers_.empty() ? std::string("(no servers)") : servers_.front());
        }
        reported_ = up;
        if (handlers_.on_state) handlers_.on_state(up);
    }

    void send_queued() {
        for (;;) {
            Outbound m;
            {
                std::unique_lock lock(out_mutex_);
                out_wake_.wait(lock, [&] { return out_stopping_ || !outbound_.empty(); });
                if (out_stopping_) return;
                m = std::move(outbound_.front());
                outbound_.pop_front();
                out_bytes_ -= m.subject.size() + m.payload.size();
            }
            std::lock_guard lock(conn_mutex_);
            const natsStatus s = conn_ == nullptr ? NATS_CONNECTION_CLOSED
                                                  : natsConnection_Publish(
                                                        conn_, m.subject.c_str(), m.payload.data(),
                                                        static_cast<int>(m.payload.size()));
            if (s != NATS_OK) counters_.dropped.fetch_add(1, std::memory_order_relaxed);
        }
    }

    // Closes and frees the connection once libnats confirms that none of its threads will call
    // into the inbox any more; without that confirmation in time the inbox is left allocated.
    void close_connection() {
        std::lock_guard lock(conn_mutex_);
        for (natsSubscription* sub : subs_) natsSubscription_Unsubscribe(sub);
        if (conn_) natsConnection_Close(conn_);
        const auto done = [&] {
            return inbox_->closed_connections.load() >= connections_made_ &&
                   inbox_->completed_subscriptions.load() >= subscriptions_made_;
        };
        const auto deadline = Clock::now() + kCloseWait;
        while (!done() && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(5));
        const bool confirmed = done();
        destroy_connection();
        if (!confirmed) {
            spdlog::warn("cluster (nats): connection close not confirmed in time");
            (void)owned_inbox_.release();
        }
    }

    const std::vector<std::string> servers_;
    const std::string prefix_;
    const std::optional<std::string> username_;
    const std::optional<std::string> password_;
    const std::optional<std::string> token_;
    const int64_t connect_timeout_ms_;

    std::unique_ptr<Inbox> owned_inbox_;
    Inbox* inbox_;  // owned_inbox_, or leaked on purpose by close_connection()
    // The sender thread publishes on conn_ while the handler thread may replace it.
    std::mutex conn_mutex_;
    natsConnection* conn_ = nullptr;
    std::vector<natsSubscription*> subs_;
    int connections_made_ = 0;
    int subscriptions_made_ = 0;
    Backoff close_backoff_;
    std::array<std::string, 4> subjects_;
    Handlers handlers_;
    std::thread handler_thread_;
    std::thread sender_thread_;
    bool started_ = false;

    // Handler thread only.
    std::optional<bool> reported_;
    bool ever_up_ = false;

    std::mutex out_mutex_;
    std::condition_variable out_wake_;
    std::deque<Outbound> outbound_;
    size_t out_bytes_ = 0;
    bool out_stopping_ = false;

    std::atomic<bool> stopped_{false};
    TransportCounters counters_;
};

}  // namespace

TransportPtr make_nats_transport(const config::Options& options) {
    return std::make_unique<NatsTransport>(options.adapter);
}

}  // namespace sockudo::cluster
