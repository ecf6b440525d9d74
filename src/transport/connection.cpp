#include "transport/connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <cerrno>
#include <cstring>

#include "protocol/ascii.hpp"
#include "protocol/utf8.hpp"
#include "protocol/ws_frame.hpp"
#include "transport/tls_channel.hpp"
#include "transport/worker.hpp"

namespace sockudo::transport {

namespace http = boost::beast::http;
namespace ws = protocol::ws;

namespace {

// Reads per readiness notification before yielding to other connections of the worker.
constexpr int kMaxReadsPerWakeup = 4;
// Buffers per gathered write (IOV_MAX is 1024; a few dozen frames already fill a socket buffer).
constexpr size_t kMaxIov = 64;

bool header_has_token(std::string_view value, std::string_view token) {
    // Comma-separated token list, case-insensitive (RFC 7230 §7).
    size_t pos = 0;
    while (pos <= value.size()) {
        size_t comma = value.find(',', pos);
        if (comma == std::string_view::npos) comma = value.size();
        std::string_view item = value.substr(pos, comma - pos);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (protocol::iequals_ascii(item, token)) {
            return true;
        }
        pos = comma + 1;
    }
    return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Lifecycle

Connection::Connection(Worker& worker, int fd, ConnectionHandler& handler,
                       const ConnectionLimits& limits, const TlsContext* tls)
    : worker_(worker), fd_(fd), handler_(handler), limits_(limits) {
    if (tls != nullptr) {
        tls_ = TlsChannel::accept(*tls, fd_);
        if (!tls_) {
            // Never fall back to plaintext on a TLS port: start() sees the closed socket.
            spdlog::warn("TLS: cannot create a session for {}; closing", remote_address());
            ::close(fd_);
            fd_ = -1;
        }
    }
}

Connection::~Connection() {
    if (fd_ >= 0) ::close(fd_);
}

std::string Connection::remote_address() const {
    sockaddr_storage peer{};
    socklen_t length = sizeof(peer);
    if (fd_ < 0 || ::getpeername(fd_, reinterpret_cast<sockaddr*>(&peer), &length) != 0) return {};
    char text[INET6_ADDRSTRLEN] = {};
    if (peer.ss_family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(peer).sin_addr, text,
                    sizeof(text));
    } else if (peer.ss_family == AF_INET6) {
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr, text,
                    sizeof(text));
    }
    return text;
}

Connection::ReadStatus Connection::read_input(uint8_t* buffer, size_t capacity, size_t& n) {
    if (tls_) return read_tls(buffer, capacity, n);
    for (;;) {
        const ssize_t r = ::recv(fd_, buffer, capacity, 0);
        if (r > 0) {
            n = static_cast<size_t>(r);
            return ReadStatus::Data;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadStatus::WouldBlock;
        return ReadStatus::Closed;  // EOF or a socket error
    }
}

Connection::ReadStatus Connection::read_tls(uint8_t* buffer, size_t capacity, size_t& n) {
    switch (tls_->read(buffer, capacity, n)) {
        case TlsChannel::Status::Done:
            return ReadStatus::Data;
        case TlsChannel::Status::WantRead:
            return ReadStatus::WouldBlock;
        case TlsChannel::Status::WantWrite:
            return ReadStatus::WantWrite;
        case TlsChannel::Status::Closed:
            break;
    }
    if (tls_->handshake_done()) {
        spdlog::debug("TLS connection from {} ended: {}", remote_address(), tls_->error());
    } else if (tls_->nothing_received()) {
        // Load-balancer TCP probes connect and leave; one line each would drown the log.
        spdlog::debug("TLS handshake failed from {}: {}", remote_address(), tls_->error());
    } else {
        spdlog::info("TLS handshake failed from {}: {}", remote_address(), tls_->error());
    }
    return ReadStatus::Closed;
}

void Connection::start() {
    if (fd_ < 0) return;  // TLS could not be set up: dropped with the caller's reference
    // TCP_NODELAY comes from the listener.
    self_ = shared_from_this();
    worker_.add_connection(this);
    last_activity_ms_ = worker_.now_ms();
    worker_.wheel().arm(idle_timer_, limits_.http_idle_timeout_ms);
    // The listener hands over connections whose first bytes have arrived (TCP_DEFER_ACCEPT),
    // so read before asking epoll: a request answered and closed at once never enters the
    // epoll set. The socket is registered when there is something to wait for.
    readable_ = true;
    on_readable();
}

bool Connection::watch() {
    if (watched_ || state_ == State::Closed) return true;
    // Registering reports the socket's current readiness at once, so input that arrived
    // before this point is not missed.
    if (!worker_.poller().add(fd_, this)) {
        spdlog::warn("cannot watch a socket: {}", std::strerror(errno));
        teardown();
        return false;
    }
    watched_ = true;
    return true;
}

void Connection::on_poll(uint32_t events) {
    if (state_ == State::Closed) return;  // fetched in the same batch as its teardown
    if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) writable_ = true;
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) readable_ = true;
    if (writing_ && writable_) {
        writing_ = false;
        on_writable();
        if (state_ == State::Closed) return;
    }
    if (reading_ && readable_) {
        reading_ = false;
        on_readable();
    }
}

void Connection::on_timer(int /*kind*/) {
    // Idle HTTP connection, or a peer that never answered our close frame.
    if (state_ == State::Http && request_pending_) {
        worker_.wheel().arm(idle_timer_, limits_.http_idle_timeout_ms);
        return;
    }
    teardown();
}

void Connection::teardown() {
    if (state_ == State::Closed) return;
    if (state_ == State::WebSocket) begin_close();
    state_ = State::Closed;
    idle_timer_.disarm();
    if (fd_ >= 0) {
        // Closing the only descriptor of the socket also takes it out of the epoll set.
        ::close(fd_);
        fd_ = -1;
    }
    queue_.clear();
    queue_head_ = head_offset_ = queued_bytes_ = 0;
    parser_.reset();
    std::string().swap(inbuf_);
    std::string().swap(fragments_);
    worker_.remove_connection(this);
    // Callers up the stack may still use this connection: the last reference goes later.
    if (self_) worker_.post([self = std::move(self_)] {});
}

void Connection::abandon() {
    idle_timer_.disarm();
    if (fd_ >= 0) {
        if (watched_) worker_.poller().remove(fd_);
        ::close(fd_);
        fd_ = -1;
    }
    worker_.remove_connection(this);
    state_ = State::Closed;
    std::shared_ptr<Connection> last = std::move(self_);  // may destroy this connection on return
}

void Connection::begin_close() {
    if (state_ != State::WebSocket) return;
    state_ = State::Closing;
    if (session_) session_->on_disconnect(*this);
}

// ---------------------------------------------------------------------------------------------
// Reading

void Connection::wait_readable() {
    if (reading_ || read_posted_ || state_ == State::Closed) return;
    if (readable_ || (tls_ && tls_->has_buffered_input())) {
        // Input is already waiting (not drained at the last read, or decrypted bytes inside
        // OpenSSL): the socket will not signal it again, so read after the queued work.
        read_posted_ = true;
        worker_.post([self = shared_from_this()] {
            self->read_posted_ = false;
            if (self->state_ != State::Closed) self->on_readable();
        });
        return;
    }
    // A closing answer still to be flushed: the flush decides what to wait for (nothing when
    // it closes at once).
    if (!watched_ && close_after_flush_ && flush_scheduled_) return;
    if (!watch()) return;
    reading_ = true;  // on_poll reads when the next input arrives
}

void Connection::on_readable() {
    if (tls_write_wants_read_) {
        // The peer's bytes a TLS write was waiting for have arrived (the reads below, or the
        // write itself, consume them).
        tls_write_wants_read_ = false;
        schedule_flush();
    }
    for (int i = 0; i < kMaxReadsPerWakeup && state_ != State::Closed; ++i) {
        if (state_ == State::Http && request_pending_) return;  // resumes after the response
        size_t n = 0;
        const ReadStatus status = read_input(worker_.scratch(), worker_.scratch_size(), n);
        if (status == ReadStatus::WouldBlock) {
            readable_ = false;
            break;
        }
        if (status == ReadStatus::WantWrite) {
            tls_read_wants_write_ = true;
            writable_ = false;
            wait_writable();
            return;
        }
        if (status == ReadStatus::Closed) {
            teardown();  // EOF or reset: the peer is gone
            return;
        }
        last_activity_ms_ = worker_.now_ms();
        ++read_count_;
        process_input(worker_.scratch(), n);
        // A TLS read returns one record at a time, so only WANT_READ says "drained".
        if (!tls_ && n < worker_.scratch_size()) {
            // Drained for now; input arriving after this read raises a new edge.
            readable_ = false;
            break;
        }
    }
    if (state_ != State::Closed && !(state_ == State::Http && request_pending_)) wait_readable();
}

void Connection::process_input(uint8_t* data, size_t length) {
    if (state_ == State::Closing) return;  // draining until the peer closes
    processing_ = true;
    uint8_t* begin = data;
    size_t available = length;
    if (!inbuf_.empty()) {
        inbuf_.append(reinterpret_cast<const char*>(data), length);
        begin = reinterpret_cast<uint8_t*>(inbuf_.data());
        available = inbuf_.size();
    }
    size_t offset = 0;
    while (offset < available && (state_ == State::Http || state_ == State::WebSocket)) {
        if (state_ == State::Http && request_pending_) break;
        size_t used = state_ == State::Http ? process_http(begin + offset, available - offset)
                                            : process_websocket(begin + offset, available - offset);
        if (used == 0) break;
        offset += used;
    }
    processing_ = false;
    if (state_ == State::Closed) return;
    if (state_ == State::Closing) {
        if (offset < available) close_without_linger_ = false;  // input behind the last answer
        std::string().swap(inbuf_);
        return;
    }
    size_t rest = available - offset;
    if (rest == 0) {
        if (!inbuf_.empty()) std::string().swap(inbuf_);  // give the memory back when idle
    } else if (inbuf_.empty()) {
        inbuf_.assign(reinterpret_cast<const char*>(begin + offset), rest);
    } else {
        inbuf_.erase(0, offset);
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP

size_t Connection::process_http(uint8_t* data, size_t length) {
    if (!parser_) {
        parser_ = std::make_unique<http::request_parser<http::string_body>>();
        parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
        parser_->body_limit(limits_.max_body_bytes);
        parser_->eager(true);
    }
    boost::system::error_code ec;
    size_t used = parser_->put(boost::asio::buffer(data, length), ec);
    if (ec == http::error::need_more) {
        if (length > limits_.max_header_bytes + limits_.max_body_bytes) {
            reject_http(413, "Request too large");
            return 0;
        }
        return used;
    }
    if (ec == http::error::body_limit) {
        reject_http(413, "Request body too large");
        return 0;
    }
    if (ec == http::error::header_limit) {
        reject_http(431, "Request header too large");
        return 0;
    }
    if (ec) {
        reject_http(400, "Malformed HTTP request");
        return 0;
    }
    if (parser_->is_done()) handle_request();
    return used;
}

void Connection::reject_http(int status, std::string_view message) {
    HttpResponse response;
    response.status = status;
    response.body = std::string("{\"error\":\"") + std::string(message) +
                    "\",\"status\":" + std::to_string(status) + "}";
    response.close = true;
    request_pending_ = true;
    respond(std::move(response), false);
}

void Connection::handle_request() {
    HttpRequest request = parser_->release();
    parser_.reset();
    request_pending_ = true;
    bool wants_upgrade = header_has_token(request[http::field::connection], "upgrade") &&
                         header_has_token(request[http::field::upgrade], "websocket");
    if (wants_upgrade && request.method() == http::verb::get) {
        if (request[http::field::sec_websocket_version] != "13") {
            HttpResponse response;
            response.status = 426;
            response.body = R"({"error":"Unsupported WebSocket version","status":426})";
            response.headers.emplace_back("Sec-WebSocket-Version", "13");
            respond(std::move(response), false);
            return;
        }
        if (request[http::field::sec_websocket_key].empty()) {
            reject_http(400, "Missing Sec-WebSocket-Key");
            return;
        }
        handler_.on_upgrade(
            *this, request,
            UpgradeResponder(shared_from_this(),
                             ws::accept_key(request[http::field::sec_websocket_key])));
        return;
    }
    bool keep_alive = request.keep_alive();
    handler_.on_http(*this, request, HttpResponder(shared_from_this(), keep_alive));
}

void HttpResponder::send(HttpResponse response) {
    Connection& c = *connection_;
    if (!c.worker_.on_this_thread()) {
        c.worker_.post([connection = connection_, keep_alive = keep_alive_,
                        response = std::move(response)]() mutable {
            HttpResponder(connection, keep_alive).send(std::move(response));
        });
        return;
    }
    c.respond(std::move(response), keep_alive_);
}

void UpgradeResponder::accept(std::unique_ptr<SessionBase> session) {
    Connection& c = *connection_;
    if (!c.worker_.on_this_thread()) {
        c.worker_.post([connection = connection_, key = std::move(accept_key_),
                        session = std::move(session)]() mutable {
            connection->accept_upgrade(std::move(session), key);
        });
        return;
    }
    c.accept_upgrade(std::move(session), accept_key_);
}

void UpgradeResponder::reject(HttpResponse response) {
    HttpResponder(connection_, false).send(std::move(response));
}

HttpResponse UpgradeResponder::not_found() {
    HttpResponse rejection;
    rejection.status = 404;
    rejection.content_type = "text/plain";
    rejection.body = "404 NOT FOUND";
    return rejection;
}

void Connection::accept_upgrade(std::unique_ptr<SessionBase> session,
                                const std::string& accept_key) {
    if (state_ != State::Http || !request_pending_ || !session) return;  // gone meanwhile
    session_ = std::move(session);
    std::string head =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        accept_key + "\r\n\r\n";
    enqueue(std::make_shared<const Frame>(std::move(head)));
    upgrade();
    if (processing_) return;  // the input loop below us goes on with the frames after the request
    // Frames the client sent right behind its request, held while the answer was pending.
    if (state_ == State::WebSocket) process_held_input();
}

void Connection::process_held_input() {
    if (inbuf_.empty()) return;
    std::string pending;
    pending.swap(inbuf_);
    process_input(reinterpret_cast<uint8_t*>(pending.data()), pending.size());
}

void Connection::respond(HttpResponse response, bool keep_alive) {
    if (state_ != State::Http || !request_pending_) return;
    keep_alive = keep_alive && !response.close;
    enqueue(std::make_shared<const Frame>(serialize_response(response, keep_alive)));
    request_pending_ = false;
    if (!keep_alive) {
        // Without a parser the request was read to its end (an early rejection keeps it).
        close_without_linger_ = !parser_;
        shutdown_after_flush();
        return;
    }
    worker_.wheel().arm(idle_timer_, limits_.http_idle_timeout_ms);
    if (processing_) return;  // the input loop below us goes on with the next request
    // Pipelined input that arrived while the response was produced.
    process_held_input();
    if (state_ == State::Http && !request_pending_) wait_readable();
}

// ---------------------------------------------------------------------------------------------
// WebSocket

void Connection::upgrade() {
    state_ = State::WebSocket;
    request_pending_ = false;
    idle_timer_.disarm();  // liveness is the session's business from here on
    session_->on_open(*this);
    if (state_ == State::WebSocket || state_ == State::Closing) wait_readable();
}

size_t Connection::process_websocket(uint8_t* data, size_t length) {
    ws::Frame frame;
    size_t consumed = 0;
    auto status = ws::decode_frame(data, length, limits_.max_message_bytes, frame, consumed);
    switch (status) {
        case ws::DecodeStatus::NeedMore:
            if (length > limits_.max_message_bytes + 14) fail_websocket(1009, "Message too big");
            return 0;
        case ws::DecodeStatus::TooBig:
            fail_websocket(1009, "Message too big");
            return 0;
        case ws::DecodeStatus::ProtocolError:
            fail_websocket(1002, "Protocol error");
            return 0;
        case ws::DecodeStatus::Complete:
            break;
    }
    switch (frame.opcode) {
        case ws::Opcode::Ping:
            send(std::make_shared<const Frame>(ws::encode_frame(ws::Opcode::Pong, frame.payload)));
            return consumed;
        case ws::Opcode::Pong:
            return consumed;
        case ws::Opcode::Close: {
            uint16_t code = 1000;
            if (frame.payload.size() == 1) {
                fail_websocket(1002, "Protocol error");
                return 0;
            }
            if (frame.payload.size() >= 2) {
                code = static_cast<uint16_t>((static_cast<uint8_t>(frame.payload[0]) << 8) |
                                             static_cast<uint8_t>(frame.payload[1]));
                if (!ws::is_valid_peer_close_code(code)) code = 1002;
            }
            close(code, "");
            return 0;
        }
        case ws::Opcode::Continuation:
            if (fragments_.empty() && !fragmented_binary_) {
                fail_websocket(1002, "Unexpected continuation frame");
                return 0;
            }
            break;
        case ws::Opcode::Text:
        case ws::Opcode::Binary:
            if (!fragments_.empty() || fragmented_binary_) {
                fail_websocket(1002, "Expected continuation frame");
                return 0;
            }
            break;
    }
    bool binary = frame.opcode == ws::Opcode::Binary ||
                  (frame.opcode == ws::Opcode::Continuation && fragmented_binary_);
    if (!frame.fin || !fragments_.empty()) {
        if (fragments_.size() + frame.payload.size() > limits_.max_message_bytes) {
            fail_websocket(1009, "Message too big");
            return 0;
        }
        if (frame.opcode != ws::Opcode::Continuation) fragmented_binary_ = binary;
        fragments_.append(frame.payload);
        if (!frame.fin) return consumed;
        std::string message;
        message.swap(fragments_);
        fragmented_binary_ = false;
        if (!binary && !protocol::is_valid_utf8(message)) {
            fail_websocket(1007, "Invalid UTF-8");
            return 0;
        }
        session_->on_message(*this, message);
        return consumed;
    }
    // Binary frames are decoded like text (protocol-v1 §2.1), so they must be UTF-8 as well
    // to be meaningful; invalid text frames are a protocol violation (RFC 6455 §8.1).
    if (!protocol::is_valid_utf8(frame.payload)) {
        if (binary) return consumed;  // not JSON: ignore
        fail_websocket(1007, "Invalid UTF-8");
        return 0;
    }
    session_->on_message(*this, frame.payload);
    return consumed;
}

void Connection::fail_websocket(uint16_t code, std::string_view reason) {
    close(code, reason);
}

void Connection::send(FramePtr frame) {
    if (state_ != State::WebSocket || overflowed_) return;
    if (queued_bytes_ + frame->size() > limits_.max_backpressure_bytes) {
        // Slow consumer: drop what it has not started receiving and tell it to back off.
        // The close is posted, not done here, because we may be inside a fanout loop over
        // the subscriber list that the disconnect would modify.
        overflowed_ = true;
        if (queue_head_ < queue_.size()) {
            size_t keep = queue_head_ + (head_offset_ > 0 ? 1 : 0);
            for (size_t i = keep; i < queue_.size(); ++i) queued_bytes_ -= queue_[i]->size();
            queue_.resize(keep);
        }
        worker_.post([self = shared_from_this()] {
            self->overflowed_ = false;
            self->close(4100, "Connection is too slow to receive messages");
        });
        return;
    }
    enqueue(std::move(frame));
}

void Connection::send_text(std::string_view payload) {
    send(make_text_frame(payload));
}

void Connection::close(uint16_t code, std::string_view reason) {
    if (state_ != State::WebSocket) return;
    begin_close();
    enqueue(std::make_shared<const Frame>(ws::encode_close(code, reason)));
    shutdown_after_flush();
}

void Connection::shutdown_after_flush() {
    close_after_flush_ = true;
    if (state_ == State::Http) state_ = State::Closing;
    worker_.wheel().arm(idle_timer_, limits_.close_linger_ms);
    schedule_flush();
}

// ---------------------------------------------------------------------------------------------
// Writing

void Connection::enqueue(FramePtr frame) {
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    schedule_flush();
}

void Connection::schedule_flush() {
    if (flush_scheduled_ || writing_) return;
    flush_scheduled_ = true;
    worker_.schedule_flush(shared_from_this());
}

void Connection::flush() {
    flush_scheduled_ = false;
    if (state_ == State::Closed || writing_) return;
    if (tls_) {
        flush_tls();
        return;
    }
    switch (write_queue()) {
        case WriteStatus::Full:
            writable_ = false;
            wait_writable();
            return;
        case WriteStatus::Failed:
            teardown();
            return;
        case WriteStatus::Drained:
            break;
    }
    queue_.clear();
    queue_head_ = head_offset_ = 0;
    if (queue_.capacity() > 16) std::vector<FramePtr>().swap(queue_);
    if (close_after_flush_) {
        if (close_without_linger_ && !readable_ && inbuf_.empty()) {
            // A plain close sends what is queued and then FIN. Saves a shutdown, a read of the
            // peer's end and a wakeup per request on connections that close after one answer.
            teardown();
            return;
        }
        ::shutdown(fd_, SHUT_WR);
        // Keep reading until the peer closes (or the linger timer fires) so that unread
        // input does not turn our FIN into a reset that could discard the response or the
        // close frame.
        wait_readable();
    }
}

bool Connection::writable_outside_flush() const {
    return !tls_ && state_ != State::Closed && !writing_;
}

void Connection::write_lent() {
    if (!writable_outside_flush()) return;
    write_queue();
}

size_t Connection::gather(iovec* iov, size_t capacity) const {
    size_t count = 0;
    for (size_t i = queue_head_; i < queue_.size() && count < capacity; ++i) {
        const Frame& f = *queue_[i];
        size_t skip = (i == queue_head_) ? head_offset_ : 0;
        iov[count].iov_base = const_cast<char*>(f.data() + skip);
        iov[count].iov_len = f.size() - skip;
        ++count;
    }
    return count;
}

void Connection::consume(size_t written) {
    queued_bytes_ -= written;
    while (written > 0) {
        size_t left = queue_[queue_head_]->size() - head_offset_;
        if (written >= left) {
            written -= left;
            queue_[queue_head_].reset();
            ++queue_head_;
            head_offset_ = 0;
        } else {
            head_offset_ += written;
            written = 0;
        }
    }
    if (queue_head_ >= 64 && queue_head_ * 2 >= queue_.size()) {
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(queue_head_));
        queue_head_ = 0;
    }
}

size_t Connection::batch_buffers(iovec* iov, size_t capacity) const {
    return writable_outside_flush() ? gather(iov, capacity) : 0;
}

void Connection::batch_written(long result) {
    if (result > 0) consume(static_cast<size_t>(result));
}

Connection::WriteStatus Connection::write_queue() {
    while (queue_head_ < queue_.size()) {
        iovec iov[kMaxIov];
        const size_t count = gather(iov, kMaxIov);
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = count;
        ssize_t written = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
        if (written < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return WriteStatus::Full;
            if (errno == EINTR) continue;
            return WriteStatus::Failed;
        }
        consume(static_cast<size_t>(written));
        if (queue_head_ < queue_.size() && count < kMaxIov)
            return WriteStatus::Full;  // short write
    }
    return WriteStatus::Drained;
}

// Queued frames are copied into the channel's staging buffer (a record's worth at a time) so
// that a burst of small frames becomes few records; bytes OpenSSL could not take yet stay
// staged untouched, as a repeated SSL_write requires.
void Connection::flush_tls() {
    constexpr size_t kStageBytes = 16 * 1024;
    std::string& staged = tls_->staged();
    for (;;) {
        if (staged.empty()) {
            while (queue_head_ < queue_.size() && staged.size() < kStageBytes) {
                const Frame& f = *queue_[queue_head_];
                const size_t take = std::min(f.size() - head_offset_, kStageBytes - staged.size());
                staged.append(f, head_offset_, take);
                head_offset_ += take;
                if (head_offset_ == f.size()) {
                    queue_[queue_head_].reset();
                    ++queue_head_;
                    head_offset_ = 0;
                }
            }
            if (queue_head_ >= queue_.size()) {
                queue_.clear();
                queue_head_ = head_offset_ = 0;
            }
        }
        if (staged.empty()) break;
        size_t written = 0;
        switch (tls_->write(written)) {
            case TlsChannel::Status::Done:
                queued_bytes_ -= std::min(queued_bytes_, written);
                continue;
            case TlsChannel::Status::WantWrite:
                writable_ = false;
                wait_writable();
                return;
            case TlsChannel::Status::WantRead:
                tls_write_wants_read_ = true;
                readable_ = false;
                wait_readable();
                return;
            case TlsChannel::Status::Closed:
                spdlog::debug("TLS write to {} failed: {}", remote_address(), tls_->error());
                teardown();
                return;
        }
    }
    tls_->trim();
    if (queue_.capacity() > 16) std::vector<FramePtr>().swap(queue_);
    if (close_after_flush_) {
        tls_->shutdown();
        ::shutdown(fd_, SHUT_WR);
        wait_readable();
    }
}

void Connection::wait_writable() {
    if (writing_ || state_ == State::Closed) return;
    if (!watch()) return;
    writing_ = true;
    if (writable_) {
        // Room appeared between the write that filled the socket and this wait.
        worker_.post([self = shared_from_this()] {
            if (!self->writing_ || self->state_ == State::Closed) return;
            self->writing_ = false;
            self->on_writable();
        });
    }
}

void Connection::on_writable() {
    if (tls_read_wants_write_) {
        tls_read_wants_write_ = false;
        on_readable();
        if (state_ == State::Closed) return;
    }
    flush();
}

}  // namespace sockudo::transport
