#include "cluster/redis_commands.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "cluster/backoff.hpp"
#include "cluster/redis_connection.hpp"
#include "cluster/resp.hpp"
#include "cluster/run_loop.hpp"

namespace sockudo::cluster {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

RedisValue copy_reply(const redisReply& r) {
    RedisValue v;
    switch (r.type) {
        case REDIS_REPLY_INTEGER:
            v.kind = RedisValue::Kind::Integer;
            v.integer = r.integer;
            break;
        case REDIS_REPLY_STRING:
        case REDIS_REPLY_STATUS:
            v.kind = RedisValue::Kind::Text;
            v.text.assign(r.str, r.len);
            break;
        case REDIS_REPLY_ERROR:
            v.kind = RedisValue::Kind::Error;
            v.text.assign(r.str, r.len);
            break;
        case REDIS_REPLY_ARRAY:
            v.kind = RedisValue::Kind::Array;
            v.elements.reserve(r.elements);
            for (size_t i = 0; i < r.elements; ++i) v.elements.push_back(copy_reply(*r.element[i]));
            break;
        default:
            break;  // nil
    }
    return v;
}

std::vector<RedisValue> all_failed(size_t n, const std::string& why) {
    return std::vector<RedisValue>(n, RedisValue::error(why));
}

}  // namespace

class RedisCommandClient::Impl {
public:
    explicit Impl(RedisCommandSettings settings)
        : settings_(std::move(settings)),
          tls_(asio::ssl::context::tls_client),
          retry_(io_),
          tick_(io_) {
        if (settings_.target.tls) {
            tls_.set_default_verify_paths();
            tls_.set_verify_mode(asio::ssl::verify_peer);
        }
    }

    void start() {
        if (thread_.joinable() || stopped_) return;
        thread_ = std::thread([this] { run_until_stopped(io_, settings_.name); });
        asio::post(io_, [this] {
            connect();
            tick();
        });
    }

    void stop() {
        if (stopped_.exchange(true)) return;
        if (!thread_.joinable()) return;
        asio::post(io_, [this] {
            retry_.cancel();
            tick_.cancel();
            if (connection_) connection_->close();
            connection_.reset();
            pending_.clear();
            io_.stop();
        });
        thread_.join();
    }

    bool wait_connected(milliseconds deadline) const {
        std::unique_lock lock(state_mutex_);
        return state_changed_.wait_for(lock, deadline, [this] { return connected_.load(); });
    }

    void run(std::vector<Command> commands, Handler done) {
        const size_t n = commands.size();
        if (n == 0) return done({});
        if (stopped_ || !connected_.load(std::memory_order_acquire))
            return refuse(n, "unavailable", done);
        if (in_flight_.fetch_add(1, std::memory_order_acq_rel) >= settings_.max_in_flight) {
            in_flight_.fetch_sub(1, std::memory_order_acq_rel);
            return refuse(n, "too many commands in flight", done);
        }
        std::string bytes;
        try {
            for (const auto& c : commands) {
                std::vector<std::string_view> argv(c.begin(), c.end());
                append_command(bytes, argv);
            }
        } catch (const std::exception& e) {
            in_flight_.fetch_sub(1, std::memory_order_acq_rel);
            return refuse(n, e.what(), done);
        }
        // `this` is safe: stop() joins the thread, and what it leaves queued is dropped unrun.
        asio::post(io_, [this, n, bytes = std::move(bytes), done = std::move(done)]() mutable {
            send(n, std::move(bytes), std::move(done));
        });
    }

    bool connected() const { return connected_.load(std::memory_order_acquire); }
    uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

private:
    struct Batch {
        size_t expected = 0;
        std::vector<RedisValue> replies;
        Handler done;  // empty for our own PING
        Clock::time_point sent;
    };

    void refuse(size_t n, const std::string& why, Handler& done) {
        failures_.fetch_add(n, std::memory_order_relaxed);
        done(all_failed(n, why));
    }

    // On the io thread.
    void send(size_t n, std::string bytes, Handler done) {
        if (!connection_ || !ready_) {
            in_flight_.fetch_sub(1, std::memory_order_acq_rel);
            return refuse(n, "unavailable", done);
        }
        pending_.push_back(Batch{n, {}, std::move(done), Clock::now()});
        pending_.back().replies.reserve(n);
        last_send_ = Clock::now();
        connection_->send(std::move(bytes));
    }

    void connect() {
        RedisConnection::Callbacks cb;
        cb.on_ready = [this] {
            ready_ = true;
            backoff_.reset();
            set_connected(true);
            if (reported_down_)
                spdlog::info("{}: connected to {}:{}", settings_.name, settings_.target.host,
                             settings_.target.port);
            reported_down_ = false;
        };
        cb.on_reply = [this](const redisReply& r) { on_reply(r); };
        cb.on_closed = [this](const std::string& why) { lost(why); };
        RedisConnection::Timing timing;
        timing.connect_timeout = std::max(settings_.timeout, milliseconds(1000));
        timing.ping_interval = milliseconds(0);  // ours go through the queue, in order
        connection_ =
            std::make_shared<RedisConnection>(io_, tls_, settings_.target, std::move(cb), timing);
        connection_->start();
    }

    void on_reply(const redisReply& r) {
        if (pending_.empty()) return lost("reply without a command");
        Batch& b = pending_.front();
        b.replies.push_back(copy_reply(r));
        if (b.replies.size() < b.expected) return;
        Batch done = std::move(pending_.front());
        pending_.pop_front();
        if (done.done) {
            in_flight_.fetch_sub(1, std::memory_order_acq_rel);
            done.done(std::move(done.replies));
        }
    }

    void lost(const std::string& why) {
        if (!reported_down_) {
            spdlog::warn("{}: connection to {}:{} lost or failed: {}; reconnecting", settings_.name,
                         settings_.target.host, settings_.target.port, why);
            reported_down_ = true;
        }
        if (connection_) connection_->close();
        connection_.reset();
        ready_ = false;
        set_connected(false);
        fail_pending(why);
        retry_.expires_after(backoff_.next());
        retry_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec && !stopped_) connect();
        });
    }

    void fail_pending(const std::string& why) {
        std::deque<Batch> failed;
        failed.swap(pending_);
        for (auto& b : failed) {
            if (!b.done) continue;
            in_flight_.fetch_sub(1, std::memory_order_acq_rel);
            failures_.fetch_add(b.expected, std::memory_order_relaxed);
            b.done(all_failed(b.expected, why));
        }
    }

    // Deadlines of the oldest command, and a PING on a quiet connection so a dead peer is found
    // before the next real command has to wait for it.
    void tick() {
        const auto now = Clock::now();
        if (!pending_.empty() && now - pending_.front().sent > settings_.timeout) {
            lost("no reply within " + std::to_string(settings_.timeout.count()) + " ms");
        } else if (ready_ && pending_.empty() && now - last_send_ > settings_.idle_ping) {
            std::string ping;
            append_command(ping, {"PING"});
            pending_.push_back(Batch{1, {}, Handler(), now});
            last_send_ = now;
            connection_->send(std::move(ping));
        }
        tick_.expires_after(std::max(settings_.timeout / 4, milliseconds(25)));
        tick_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) tick();
        });
    }

    void set_connected(bool up) {
        {
            std::lock_guard lock(state_mutex_);
            connected_.store(up, std::memory_order_release);
        }
        state_changed_.notify_all();
    }

    const RedisCommandSettings settings_;
    asio::io_context io_;  // first: outlives every socket and timer below
    asio::ssl::context tls_;
    asio::steady_timer retry_;
    asio::steady_timer tick_;
    std::thread thread_;

    // Owned by the io thread.
    std::shared_ptr<RedisConnection> connection_;
    std::deque<Batch> pending_;
    Backoff backoff_;
    Clock::time_point last_send_{};
    bool ready_ = false;
    bool reported_down_ = false;

    std::atomic<bool> stopped_{false};
    std::atomic<bool> connected_{false};
    std::atomic<size_t> in_flight_{0};
    std::atomic<uint64_t> failures_{0};
    mutable std::mutex state_mutex_;
    mutable std::condition_variable state_changed_;
};

RedisCommandClient::RedisCommandClient(RedisCommandSettings settings)
    : impl_(std::make_shared<Impl>(std::move(settings))) {}

RedisCommandClient::~RedisCommandClient() {
    stop();
}

void RedisCommandClient::start() {
    impl_->start();
}
void RedisCommandClient::stop() {
    impl_->stop();
}
bool RedisCommandClient::wait_connected(milliseconds deadline) const {
    return impl_->wait_connected(deadline);
}
void RedisCommandClient::run(std::vector<Command> commands, Handler done) {
    impl_->run(std::move(commands), std::move(done));
}
bool RedisCommandClient::connected() const {
    return impl_->connected();
}
uint64_t RedisCommandClient::failures() const {
    return impl_->failures();
}

}  // namespace sockudo::cluster
