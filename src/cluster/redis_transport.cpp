#include "cluster/redis_transport.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "cluster/backoff.hpp"
#include "cluster/redis_connection.hpp"
#include "cluster/run_loop.hpp"
#include "config/load.hpp"
#include "config/redis_url.hpp"

namespace sockudo::cluster {

namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

// Outbound bounds: a burst of cluster traffic while the socket is slow is absorbed, a broker that
// stopped reading is not allowed to eat memory (publish() then returns false).
constexpr size_t kMaxQueuedMessages = 10000;
constexpr size_t kMaxQueuedBytes = 16 * 1024 * 1024;
// Taken from the queue into one socket write at most; the rest waits for that write.
constexpr size_t kMaxWriteBytes = 1024 * 1024;

class RedisTransport final : public Transport {
public:
    RedisTransport(config::RedisTarget target, std::string prefix)
        : target_(std::move(target)),
          prefix_(std::move(prefix)),
          tls_(asio::ssl::context::tls_client),
          sub_retry_(io_),
          pub_retry_(io_) {
        if (target_.tls) {
            // The system CA store (SSL_CERT_FILE / SSL_CERT_DIR are honoured by OpenSSL).
            tls_.set_default_verify_paths();
            tls_.set_verify_mode(asio::ssl::verify_peer);
        }
    }

    ~RedisTransport() override { stop(); }

    void start(std::string own_node_id, Handlers handlers) override {
        if (thread_.joinable() || stopped_) return;
        handlers_ = std::move(handlers);
        names_ = {prefix_ + ":#broadcast", prefix_ + ":#requests", prefix_ + ":#responses",
                  prefix_ + ":#node:" + own_node_id};
        // A throwing handler must not take the cluster link down with it.
        thread_ = std::thread([this] { run_until_stopped(io_, "cluster (redis)"); });
        asio::post(io_, [this] {
            connect_subscriber();
            connect_publisher();
        });
    }

    bool publish(Channel channel, std::string payload, std::string_view target_node) override {
        if (!accepting_.load(std::memory_order_acquire) ||
            (channel == Channel::Node && target_node.empty())) {
            counters_.dropped.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        std::string cmd;
        try {
            append_command(cmd, {"PUBLISH", channel_name(channel, target_node), payload});
        } catch (const std::exception&) {
            counters_.dropped.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        bool post = false;
        {
            std::lock_guard lock(queue_mutex_);
            if (queue_.size() >= kMaxQueuedMessages ||
                queue_bytes_ + cmd.size() > kMaxQueuedBytes) {
                counters_.dropped.fetch_add(1, std::memory_order_relaxed);
                return false;
            }
            queue_bytes_ += cmd.size();
            queue_.push_back(std::move(cmd));
            post = !flush_posted_;
            flush_posted_ = true;
        }
        counters_.published.fetch_add(1, std::memory_order_relaxed);
        if (post) asio::post(io_, [this] { flush(); });
        return true;
    }

    void stop() override {
        if (stopped_.exchange(true)) return;
        accepting_.store(false);
        if (!thread_.joinable()) return;
        asio::post(io_, [this] {
            sub_retry_.cancel();
            pub_retry_.cancel();
            if (sub_) sub_->close();
            if (pub_) pub_->close();
            sub_.reset();
            pub_.reset();
            io_.stop();
        });
        thread_.join();
    }

    bool up() const override { return up_.load(std::memory_order_acquire); }
    const char* driver_name() const override { return "redis"; }
    TransportStats stats() const override { return counters_.snapshot(); }

private:
    std::string channel_name(Channel channel, std::string_view target_node) const {
        switch (channel) {
            case Channel::Broadcast:
                return names_[0];
            case Channel::Requests:
                return names_[1];
            case Channel::Responses:
                return names_[2];
            case Channel::Node:
                return prefix_ + ":#node:" + std::string(target_node);
        }
        return names_[0];
    }

    std::optional<Channel> channel_of(std::string_view name) const {
        static constexpr std::array<Channel, 4> kChannels{Channel::Broadcast, Channel::Requests,
                                                          Channel::Responses, Channel::Node};
        for (size_t i = 0; i < names_.size(); ++i) {
            if (names_[i] == name) return kChannels[i];
        }
        return std::nullopt;
    }

    void connect_subscriber() {
        RedisConnection::Callbacks cb;
        cb.on_ready = [this] {
            std::string cmd;
            append_command(cmd, {"SUBSCRIBE", names_[0], names_[1], names_[2], names_[3]});
            sub_->send(std::move(cmd));
        };
        cb.on_reply = [this](const redisReply& r) { on_subscriber_reply(r); };
        cb.on_closed = [this](const std::string& why) {
            log_loss("subscriber", why);
            sub_.reset();
            confirmations_ = 0;
            subscribed_ = false;
            update_state(true);
            retry(sub_retry_, sub_backoff_, [this] { connect_subscriber(); });
        };
        sub_ = std::make_shared<RedisConnection>(io_, tls_, target_, std::move(cb),
                                                 RedisConnection::Timing{});
        sub_->start();
    }

    void on_subscriber_reply(const redisReply& r) {
        if (r.type == REDIS_REPLY_ERROR) {
            spdlog::error("cluster (redis): subscriber: {}", reply_text(&r));
            return;
        }
        if (r.type != REDIS_REPLY_ARRAY || r.elements < 1) return;
        const std::string_view kind = reply_text(r.element[0]);
        if (kind == "message" && r.elements == 3) {
            const auto channel = channel_of(reply_text(r.element[1]));
            if (!channel) return;
            counters_.received.fetch_add(1, std::memory_order_relaxed);
            if (handlers_.on_message) handlers_.on_message(*channel, reply_text(r.element[2]));
        } else if (kind == "subscribe") {
            if (++confirmations_ == static_cast<int>(names_.size())) {
                subscribed_ = true;
                sub_backoff_.reset();
                update_state();
            }
        }
    }

    void connect_publisher() {
        RedisConnection::Callbacks cb;
        cb.on_ready = [this] {
            pub_ready_ = true;
            pub_backoff_.reset();
            accepting_.store(true, std::memory_order_release);
            update_state();
            flush();
        };
        cb.on_reply = [](const redisReply& r) {
            if (r.type == REDIS_REPLY_ERROR)
                spdlog::warn("cluster (redis): PUBLISH: {}", reply_text(&r));
        };
        cb.on_written = [this] { flush(); };
        cb.on_closed = [this](const std::string& why) {
            log_loss("publisher", why);
            pub_.reset();
            pub_ready_ = false;
            accepting_.store(false, std::memory_order_release);
            discard_queue();
            update_state(true);
            retry(pub_retry_, pub_backoff_, [this] { connect_publisher(); });
        };
        pub_ = std::make_shared<RedisConnection>(io_, tls_, target_, std::move(cb),
                                                 RedisConnection::Timing{});
        pub_->start();
    }

    // Moves queued commands to the publisher, one bounded write's worth at a time.
    void flush() {
        std::string batch;
        {
            std::lock_guard lock(queue_mutex_);
            flush_posted_ = false;
            if (!pub_ || !pub_ready_ || pub_->writing()) return;
            while (!queue_.empty() && batch.size() < kMaxWriteBytes) {
                batch += queue_.front();
                queue_bytes_ -= queue_.front().size();
                queue_.pop_front();
            }
        }
        if (!batch.empty()) pub_->send(std::move(batch));
    }

    // Messages accepted while the link was up but not written before it broke: they are lost
    // (the contract is fire-and-forget) and counted as dropped.
    void discard_queue() {
        std::lock_guard lock(queue_mutex_);
        counters_.dropped.fetch_add(queue_.size(), std::memory_order_relaxed);
        queue_.clear();
        queue_bytes_ = 0;
    }

    template <typename Connect>
    void retry(asio::steady_timer& timer, Backoff& backoff, Connect connect) {
        timer.expires_after(backoff.next());
        timer.async_wait([connect](const boost::system::error_code& ec) {
            if (!ec) connect();
        });
    }

    // Once per outage, not once per attempt.
    void log_loss(const char* which, const std::string& why) {
        if (reported_.value_or(true)) {
            spdlog::warn("cluster (redis): {} connection to {}:{} lost or failed: {}; reconnecting",
                         which, target_.host, target_.port, why);
        } else {
            spdlog::debug("cluster (redis): {}: {}", which, why);
        }
    }

    // `failure`: a connection was lost or could not be made. Without one, a half-finished start
    // (one connection ready, the other not yet) is not worth a report.
    void update_state(bool failure = false) {
        const bool now = subscribed_ && pub_ready_;
        up_.store(now, std::memory_order_release);
        if (reported_ && *reported_ == now) return;
        if (!now && !reported_ && !failure) return;
        if (now) {
            if (ever_up_) counters_.reconnections.fetch_add(1, std::memory_order_relaxed);
            ever_up_ = true;
            spdlog::info("cluster (redis): connected to {}:{}", target_.host, target_.port);
        }
        reported_ = now;
        if (handlers_.on_state) handlers_.on_state(now);
    }

    const config::RedisTarget target_;
    const std::string prefix_;
    asio::io_context io_;  // first: outlives every socket and timer below
    asio::ssl::context tls_;
    std::thread thread_;

    // Owned by the io thread once started.
    Handlers handlers_;
    std::array<std::string, 4> names_;
    std::shared_ptr<RedisConnection> sub_;
    std::shared_ptr<RedisConnection> pub_;
    asio::steady_timer sub_retry_;
    asio::steady_timer pub_retry_;
    Backoff sub_backoff_;
    Backoff pub_backoff_;
    int confirmations_ = 0;
    bool subscribed_ = false;
    bool pub_ready_ = false;
    bool ever_up_ = false;
    std::optional<bool> reported_;

    std::mutex queue_mutex_;
    std::deque<std::string> queue_;
    size_t queue_bytes_ = 0;
    bool flush_posted_ = false;

    std::atomic<bool> stopped_{false};
    std::atomic<bool> accepting_{false};
    std::atomic<bool> up_{false};
    TransportCounters counters_;
};

}  // namespace

TransportPtr make_redis_transport(const config::Options& options) {
    std::string error;
    auto target = config::parse_redis_url(config::redis_url(options), error);
    if (!target) {
        throw config::ConfigError(
            "adapter.driver=redis: the Redis URL (REDIS_URL or database.redis) is unusable: " +
            error);
    }
    return std::make_unique<RedisTransport>(std::move(*target), options.adapter.redis_prefix);
}

}  // namespace sockudo::cluster
