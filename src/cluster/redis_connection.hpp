#pragma once
// One connection to Redis on an io_context: resolve, connect, TLS handshake (rediss://), AUTH and
// SELECT, then pipelined commands and a stream of replies. Detects a stale peer with TCP
// keepalive and a periodic PING. Single-threaded: every method and callback runs on the
// io_context's thread.

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "cluster/resp.hpp"
#include "config/redis_url.hpp"

namespace sockudo::cluster {

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
public:
    struct Callbacks {
        std::function<void()> on_ready;                         // authenticated, database selected
        std::function<void(const redisReply&)> on_reply;        // every reply after the handshake
        std::function<void(const std::string& why)> on_closed;  // once; never after close()
        std::function<void()> on_written;  // a write completed and nothing else is queued
    };
    struct Timing {
        std::chrono::milliseconds connect_timeout{5000};  // up to the end of the handshake
        // Zero: no PING and no staleness check, for a user that sends its own commands and
        // must see every reply in order.
        std::chrono::milliseconds ping_interval{2000};
        std::chrono::milliseconds stale_after{8000};  // nothing read for this long: dead
    };

    // `tls` must outlive the connection; it is used only when target.tls is set.
    RedisConnection(boost::asio::io_context& io, boost::asio::ssl::context& tls,
                    config::RedisTarget target, Callbacks callbacks, Timing timing);

    void start();
    // Queues bytes (encoded commands) for writing; one write is in flight at a time.
    void send(std::string bytes);
    // Bytes handed to send() and not yet written.
    size_t buffered() const { return pending_.size() + writing_.size(); }
    bool writing() const { return !writing_.empty(); }
    // Closes without calling on_closed.
    void close();

private:
    using Tcp = boost::asio::ip::tcp;
    void on_resolved(const boost::system::error_code& ec, const Tcp::resolver::results_type& r);
    void on_connected(const boost::system::error_code& ec);
    void on_handshake(const boost::system::error_code& ec);
    void read();
    void on_read(const boost::system::error_code& ec, size_t n);
    bool handle(const redisReply& reply);
    void write();
    void heartbeat();
    void fail(const std::string& why);

    template <typename Buffers, typename Handler>
    void async_write(const Buffers& b, Handler&& h);

    config::RedisTarget target_;
    Callbacks callbacks_;
    Timing timing_;
    Tcp::resolver resolver_;
    boost::asio::ssl::stream<Tcp::socket> stream_;
    boost::asio::steady_timer timer_;
    RespReader reader_;
    std::string pending_;
    std::string writing_;
    std::array<char, 64 * 1024> read_buffer_{};
    int handshake_replies_ = 0;  // AUTH/SELECT replies still expected
    bool ready_ = false;
    bool closed_ = false;
    std::chrono::steady_clock::time_point last_read_{};
};

}  // namespace sockudo::cluster
