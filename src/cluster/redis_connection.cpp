#include "cluster/redis_connection.hpp"

#include <openssl/ssl.h>

namespace sockudo::cluster {

namespace asio = boost::asio;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

RedisConnection::RedisConnection(asio::io_context& io, asio::ssl::context& tls,
                                 config::RedisTarget target, Callbacks callbacks, Timing timing)
    : target_(std::move(target)),
      callbacks_(std::move(callbacks)),
      timing_(timing),
      resolver_(io),
      stream_(io, tls),
      timer_(io) {}

template <typename Buffers, typename Handler>
void RedisConnection::async_write(const Buffers& b, Handler&& h) {
    if (target_.tls) {
        asio::async_write(stream_, b, std::forward<Handler>(h));
    } else {
        asio::async_write(stream_.next_layer(), b, std::forward<Handler>(h));
    }
}

void RedisConnection::start() {
    auto self = shared_from_this();
    timer_.expires_after(timing_.connect_timeout);
    timer_.async_wait([self](const error_code& ec) {
        if (!ec && !self->ready_) self->fail("connect timeout");
    });
    resolver_.async_resolve(target_.host, std::to_string(target_.port),
                            [self](const error_code& ec, const Tcp::resolver::results_type& r) {
                                self->on_resolved(ec, r);
                            });
}

void RedisConnection::on_resolved(const error_code& ec, const Tcp::resolver::results_type& r) {
    if (closed_) return;
    if (ec) return fail("resolve " + target_.host + ": " + ec.message());
    auto self = shared_from_this();
    asio::async_connect(stream_.next_layer(), r, [self](const error_code& e, const Tcp::endpoint&) {
        self->on_connected(e);
    });
}

void RedisConnection::on_connected(const error_code& ec) {
    if (closed_) return;
    if (ec) return fail("connect: " + ec.message());
    error_code ignored;
    stream_.next_layer().set_option(Tcp::no_delay(true), ignored);
    // Keepalive notices a peer that vanished without a FIN (host down, network cut) even when
    // nothing is being written.
    stream_.next_layer().set_option(asio::socket_base::keep_alive(true), ignored);
    if (!target_.tls) return on_handshake({});
    if (!SSL_set_tlsext_host_name(stream_.native_handle(), target_.host.c_str())) {
        return fail("TLS: cannot set the server name");
    }
    stream_.set_verify_callback(asio::ssl::host_name_verification(target_.host));
    auto self = shared_from_this();
    stream_.async_handshake(asio::ssl::stream_base::client,
                            [self](const error_code& e) { self->on_handshake(e); });
}

void RedisConnection::on_handshake(const error_code& ec) {
    if (closed_) return;
    if (ec) return fail("TLS handshake: " + ec.message());
    last_read_ = Clock::now();
    std::string hello;
    if (target_.password) {
        if (target_.username) {
            append_command(hello, {"AUTH", *target_.username, *target_.password});
        } else {
            append_command(hello, {"AUTH", *target_.password});
        }
        ++handshake_replies_;
    }
    if (target_.db != 0) {
        append_command(hello, {"SELECT", std::to_string(target_.db)});
        ++handshake_replies_;
    }
    read();
    if (handshake_replies_ == 0) {
        ready_ = true;
        heartbeat();
        if (callbacks_.on_ready) callbacks_.on_ready();
        return;
    }
    // The handshake goes ahead of anything queued by the owner.
    pending_.insert(0, hello);
    write();
}

void RedisConnection::send(std::string bytes) {
    if (closed_) return;
    pending_ += bytes;
    if (ready_ || handshake_replies_ > 0) write();
}

void RedisConnection::write() {
    if (closed_ || !writing_.empty() || pending_.empty()) return;
    writing_.swap(pending_);
    auto self = shared_from_this();
    async_write(asio::buffer(writing_), [self](const error_code& ec, size_t) {
        if (self->closed_) return;
        if (ec) return self->fail("write: " + ec.message());
        self->writing_.clear();
        self->write();
        if (self->writing_.empty() && self->callbacks_.on_written) self->callbacks_.on_written();
    });
}

void RedisConnection::read() {
    auto self = shared_from_this();
    auto handler = [self](const error_code& ec, size_t n) { self->on_read(ec, n); };
    if (target_.tls) {
        stream_.async_read_some(asio::buffer(read_buffer_), handler);
    } else {
        stream_.next_layer().async_read_some(asio::buffer(read_buffer_), handler);
    }
}

void RedisConnection::on_read(const error_code& ec, size_t n) {
    if (closed_) return;
    if (ec)
        return fail(ec == asio::error::eof ? "connection closed by the server"
                                           : "read: " + ec.message());
    last_read_ = Clock::now();
    if (!reader_.feed(read_buffer_.data(), n)) return fail("protocol error");
    for (;;) {
        bool error = false;
        ReplyPtr reply = reader_.next(error);
        if (error) return fail("protocol error");
        if (!reply) break;
        if (!handle(*reply) || closed_) return;
    }
    read();
}

// False when the connection was failed.
bool RedisConnection::handle(const redisReply& reply) {
    if (handshake_replies_ > 0) {
        if (reply.type == REDIS_REPLY_ERROR) {
            fail("handshake refused: " + std::string(reply_text(&reply)));
            return false;
        }
        if (--handshake_replies_ == 0) {
            ready_ = true;
            heartbeat();
            if (callbacks_.on_ready) callbacks_.on_ready();
        }
        return true;
    }
    if (callbacks_.on_reply) callbacks_.on_reply(reply);
    return true;
}

void RedisConnection::heartbeat() {
    if (closed_ || timing_.ping_interval.count() == 0) return;
    if (Clock::now() - last_read_ > timing_.stale_after) return fail("no reply to PING");
    // Only when nothing is waiting to go out: a stuck write means the peer is not reading, and
    // the staleness check above catches that without growing the buffer.
    if (writing_.empty()) {
        std::string ping;
        append_command(ping, {"PING"});
        send(std::move(ping));
    }
    auto self = shared_from_this();
    timer_.expires_after(timing_.ping_interval);
    timer_.async_wait([self](const error_code& ec) {
        if (!ec) self->heartbeat();
    });
}

void RedisConnection::fail(const std::string& why) {
    if (closed_) return;
    close();
    if (callbacks_.on_closed) callbacks_.on_closed(why);
}

void RedisConnection::close() {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    resolver_.cancel();
    timer_.cancel();
    stream_.next_layer().shutdown(Tcp::socket::shutdown_both, ignored);
    stream_.next_layer().close(ignored);
    callbacks_.on_ready = nullptr;
    callbacks_.on_reply = nullptr;
    callbacks_.on_written = nullptr;
}

}  // namespace sockudo::cluster
