#pragma once
// One accepted TCP connection: HTTP/1.1 requests (keep-alive, pipelined one at a time) until it
// upgrades to a WebSocket, then RFC 6455 framing. Owned by its worker; every method runs on the
// worker's thread. Reads go through the worker's shared scratch buffer, so an idle connection
// holds no read buffer; writes are queued shared frames flushed with gathered writes.

#include <sys/uio.h>

#include <boost/beast/http/parser.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transport/frame.hpp"
#include "transport/http_types.hpp"
#include "transport/poller.hpp"
#include "transport/timer_wheel.hpp"

namespace sockudo::transport {

class TlsChannel;
class TlsContext;

class Connection;
class Worker;

// The protocol state of an upgraded connection. Implemented above the transport.
class SessionBase {
public:
    virtual ~SessionBase() = default;
    // After the 101 response is queued: the first frame the session sends goes out first.
    virtual void on_open(Connection& connection) = 0;
    // One complete text (or binary) message, valid UTF-8 for text.
    virtual void on_message(Connection& connection, std::string_view message) = 0;
    // Exactly once, when the WebSocket stops being open (close sent or received, I/O error).
    // Nothing sent after this is delivered.
    virtual void on_disconnect(Connection& connection) = 0;
};

// Replies to one HTTP request; may be used later (asynchronously) from the worker's thread.
class HttpResponder {
public:
    HttpResponder(std::shared_ptr<Connection> connection, bool keep_alive)
        : connection_(std::move(connection)), keep_alive_(keep_alive) {}
    void send(HttpResponse response);
    Connection& connection() { return *connection_; }

private:
    std::shared_ptr<Connection> connection_;
    bool keep_alive_;
};

// The answer to one WebSocket upgrade request, given once: at once or later, from any thread.
// Until it is given the connection reads nothing more.
class UpgradeResponder {
public:
    UpgradeResponder(std::shared_ptr<Connection> connection, std::string accept_key)
        : connection_(std::move(connection)), accept_key_(std::move(accept_key)) {}
    // Switches protocols; `session` owns the socket from here on.
    void accept(std::unique_ptr<SessionBase> session);
    // Answers with `response` instead, and closes.
    void reject(HttpResponse response);
    Connection& connection() { return *connection_; }
    // The rejection of a path that is not a WebSocket endpoint.
    static HttpResponse not_found();

private:
    std::shared_ptr<Connection> connection_;
    std::string accept_key_;  // Sec-WebSocket-Accept
};

// What the transport calls for each request. Implemented by the server wiring.
class ConnectionHandler {
public:
    virtual ~ConnectionHandler() = default;
    virtual void on_http(Connection& connection, HttpRequest& request, HttpResponder responder) = 0;
    // A valid WebSocket upgrade request; `responder` accepts it with a session or rejects it.
    virtual void on_upgrade(Connection& connection, const HttpRequest& request,
                            UpgradeResponder responder) = 0;
};

struct ConnectionLimits {
    size_t max_header_bytes = 16 * 1024;
    size_t max_body_bytes = 10 * 1024 * 1024;
    size_t max_message_bytes = 64 * 1024;         // inbound WebSocket message (1009 above)
    size_t max_backpressure_bytes = 1024 * 1024;  // outbound queue (4100 above)
    uint64_t http_idle_timeout_ms = 30'000;       // request header/keep-alive idle time
    uint64_t close_linger_ms = 2'000;             // wait for the peer's close after ours
};

// A connection owns itself from start() until it is torn down (the worker's epoll set holds a
// plain pointer to it); the last reference is dropped at a safe point, never inside a call
// chain that may still use it.
class Connection final : public std::enable_shared_from_this<Connection>,
                         private TimerTarget,
                         private PollTarget {
public:
    // Takes ownership of the accepted, non-blocking socket `fd`. `tls` is null for plain TCP.
    Connection(Worker& worker, int fd, ConnectionHandler& handler, const ConnectionLimits& limits,
               const TlsContext* tls);
    ~Connection();

    void start();

    // --- WebSocket side (valid after the upgrade) ---
    void send(FramePtr frame);
    void send_text(std::string_view payload);
    // Sends a close frame with `code` and closes the TCP connection once it is written.
    void close(uint16_t code, std::string_view reason);
    bool is_open() const { return state_ == State::WebSocket; }
    SessionBase* session() { return session_.get(); }
    uint64_t last_activity_ms() const { return last_activity_ms_; }
    // Increases with every read that returned data: tells "anything since X?" exactly, where
    // millisecond timestamps cannot (a loopback round trip takes less than 1 ms).
    uint64_t read_count() const { return read_count_; }
    size_t queued_bytes() const { return queued_bytes_; }

    Worker& worker() { return worker_; }
    // The peer's IP address as text (asked of the socket: not kept per connection).
    std::string remote_address() const;
    bool tls() const { return tls_ != nullptr; }

    // Writes what is queued (called by the worker once per loop turn).
    void flush();
    // Writes what is queued, from a peer worker's thread while the owner has lent this
    // connection out (SharedFlush): touches only the queue and the socket. The owner's flush()
    // afterwards does whatever the outcome needs.
    void write_lent();
    // A write in a batch (SendBatch), in two halves around the batch's one system call: what to
    // write (0 buffers: nothing to write now), then what the kernel took (bytes, or -errno).
    // Like write_lent() it touches only the queue, so a peer may run it for a lent connection;
    // the owner's flush() afterwards does whatever the outcome needs.
    size_t batch_buffers(iovec* iov, size_t capacity) const;
    void batch_written(long result);
    // Drops the connection without telling anyone: for a worker that is being destroyed.
    void abandon();

private:
    friend class HttpResponder;
    friend class UpgradeResponder;
    friend class Worker;
    enum class State : uint8_t { Http, WebSocket, Closing, Closed };
    enum TimerKind : int { kIdleTimer = 1 };

    enum class ReadStatus : uint8_t { Data, WouldBlock, WantWrite, Closed };
    enum class WriteStatus : uint8_t { Drained, Full, Failed };

    void on_timer(int kind) override;
    void on_poll(uint32_t events) override;
    ReadStatus read_input(uint8_t* buffer, size_t capacity, size_t& n);
    ReadStatus read_tls(uint8_t* buffer, size_t capacity, size_t& n);
    // Plain sockets: gathered writes until the queue is empty or the socket is full.
    WriteStatus write_queue();
    // What write_lent() and a batch may write without the owner's flush(): a plain socket that
    // is open and not waiting for room (TLS, waiting and closing stay with the owner).
    bool writable_outside_flush() const;
    // Up to `capacity` buffers of what is queued, from the first unwritten byte.
    size_t gather(iovec* iov, size_t capacity) const;
    // Drops `written` bytes from the front of the queue.
    void consume(size_t written);
    void flush_tls();
    void wait_readable();
    void on_readable();
    void process_input(uint8_t* data, size_t length);
    // Input read while the connection waited for an answer (a response, an upgrade decision).
    void process_held_input();
    size_t process_http(uint8_t* data, size_t length);
    size_t process_websocket(uint8_t* data, size_t length);
    void handle_request();
    void upgrade();
    // The upgrade answer arrived (on this worker's thread).
    void accept_upgrade(std::unique_ptr<SessionBase> session, const std::string& accept_key);
    void respond(HttpResponse response, bool keep_alive);
    void reject_http(int status, std::string_view message);
    void enqueue(FramePtr frame);
    void schedule_flush();
    void wait_writable();
    // Adds the socket to the worker's epoll set once; false (and torn down) when refused.
    bool watch();
    void begin_close();  // leaves the open state and tells the session
    void shutdown_after_flush();
    void teardown();
    void fail_websocket(uint16_t code, std::string_view reason);
    // Runs what waited for the socket to become writable.
    void on_writable();

    Worker& worker_;
    int fd_;
    std::shared_ptr<Connection> self_;  // set while registered with the worker
    ConnectionHandler& handler_;
    const ConnectionLimits& limits_;
    std::unique_ptr<SessionBase> session_;
    std::unique_ptr<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::string inbuf_;      // unparsed input carried between reads (usually empty)
    std::string fragments_;  // a fragmented message being reassembled
    std::vector<FramePtr> queue_;
    size_t queue_head_ = 0;   // first unsent frame in queue_
    size_t head_offset_ = 0;  // bytes of queue_[queue_head_] already written
    size_t queued_bytes_ = 0;
    TimerNode idle_timer_{this, kIdleTimer};
    uint64_t last_activity_ms_ = 0;
    uint64_t read_count_ = 0;
    size_t registry_slot_ = SIZE_MAX;  // index in the worker's connection list
    State state_ = State::Http;
    bool watched_ = false;      // in the worker's epoll set
    bool reading_ = false;      // waiting for input readiness
    bool read_posted_ = false;  // a read is queued on the worker
    bool readable_ = false;     // input may be pending (edge seen, not yet drained)
    bool writable_ = true;      // the last write did not fill the socket buffer
    bool processing_ = false;   // inside process_input (responses must not re-enter it)
    bool writing_ = false;      // waiting for the socket to become writable
    bool flush_scheduled_ = false;
    bool request_pending_ = false;  // an HTTP response is being produced
    bool close_after_flush_ = false;
    // The response closing the connection answers a complete request with nothing sent after
    // it: no unread input can turn a plain close into a reset, so no need to wait for the peer.
    bool close_without_linger_ = false;
    bool fragmented_binary_ = false;
    bool overflowed_ = false;  // over the outbound byte cap; a 4100 close is on its way
    // TLS (null for plain connections). A read may need the socket writable (handshake) and
    // a write may need it readable (a post-handshake message from the peer).
    std::unique_ptr<TlsChannel> tls_;
    bool tls_read_wants_write_ = false;
    bool tls_write_wants_read_ = false;
};

}  // namespace sockudo::transport
