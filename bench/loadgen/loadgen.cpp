// An epoll load generator for Pusher-protocol servers: one thread, and for fan-out scenarios
// optionally more threads reading the subscribers (--reader-threads).
//
// Subscribers are WebSocket clients (masked frames, as RFC 6455 requires of clients) that count
// every "bench" event they receive and measure publish→receive latency from the monotonic
// timestamp carried in the event data. Publishers use the signed HTTP API on keep-alive or
// per-request connections. Every scenario prints one JSON line with honest accounting
// (expected, received, missing, duplicates) and the generator's own CPU time, so a saturated
// generator is visible in the results.
//
// Source addresses are chosen here (127.0.0.2.. with explicit ports) and sockets are reset on
// teardown (SO_LINGER 0): the kernel's own port choice and TIME_WAIT would otherwise dominate
// short runs on loopback.

#include <arpa/inet.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "protocol/signature.hpp"

namespace {

// ------------------------------------------------------------------------------------------
// Options

struct Options {
    std::string scenario = "fanout";
    std::string label = "server";
    std::string host = "127.0.0.1";
    int port = 6001;
    int publish_port = 0;  // where publishers connect (another node); 0 = `port`
    std::string app_id = "app-id";
    std::string key = "app-key";
    std::string secret = "app-secret";
    int clients = 1000;
    int channels = 1;      // subscribers are spread over this many channels
    double rate = 0;       // publishes per second; 0 = closed-loop maximum
    double duration = 10;  // seconds of measurement
    double warmup = 1;     // seconds before measurement starts
    int publishers = 4;    // HTTP connections publishing
    bool keepalive = true;
    int batch = 1;                 // events per publish (batch_events when > 1)
    int window = 4;                // closed loop: publishes allowed in flight, undelivered
    int payload = 20;              // extra bytes of padding in each event's data
    std::vector<int> server_pids;  // to read the servers' CPU time and RSS (summed)
    int connect_parallel = 256;    // handshakes in flight while connecting
    int churn_ops = 0;             // churn: total operations (0 = run for `duration`)
    bool batched_reads = true;    // read the sockets of one epoll wakeup in one io_uring submission
    bool ring_requests = true;    // per-request publishing without subscribers on io_uring
    int coalesce_us = 100;        // fixed-rate fanout: pause after a wakeup that found few sockets
    int reader_threads = 1;       // fanout: threads reading the subscribers (each its own epoll)
    bool arrival_stamps = false;  // fanout: also latency to the kernel's receive timestamp
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "loadgen: %s\n", message.c_str());
    std::exit(2);
}

Options parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) die("missing value for " + arg);
            return argv[++i];
        };
        if (arg == "--scenario")
            o.scenario = value();
        else if (arg == "--label")
            o.label = value();
        else if (arg == "--host")
            o.host = value();
        else if (arg == "--port")
            o.port = std::stoi(value());
        else if (arg == "--app-id")
            o.app_id = value();
        else if (arg == "--key")
            o.key = value();
        else if (arg == "--secret")
            o.secret = value();
        else if (arg == "--clients")
            o.clients = std::stoi(value());
        else if (arg == "--channels")
            o.channels = std::stoi(value());
        else if (arg == "--rate")
            o.rate = std::stod(value());
        else if (arg == "--duration")
            o.duration = std::stod(value());
        else if (arg == "--warmup")
            o.warmup = std::stod(value());
        else if (arg == "--publishers")
            o.publishers = std::stoi(value());
        else if (arg == "--per-request")
            o.keepalive = false;
        else if (arg == "--batch")
            o.batch = std::stoi(value());
        else if (arg == "--window")
            o.window = std::stoi(value());
        else if (arg == "--payload")
            o.payload = std::stoi(value());
        else if (arg == "--publish-port")
            o.publish_port = std::stoi(value());
        else if (arg == "--server-pid") {
            // A comma list: every process that serves (nodes of a cluster, their broker).
            std::stringstream list(value());
            for (std::string pid; std::getline(list, pid, ',');) {
                if (!pid.empty()) o.server_pids.push_back(std::stoi(pid));
            }
        } else if (arg == "--connect-parallel")
            o.connect_parallel = std::stoi(value());
        else if (arg == "--ops")
            o.churn_ops = std::stoi(value());
        else if (arg == "--plain-reads")
            o.batched_reads = false;
        else if (arg == "--plain-requests")
            o.ring_requests = false;
        else if (arg == "--reader-threads") {
            o.reader_threads = std::stoi(value());
            if (o.reader_threads < 1 || o.reader_threads > 16) die("--reader-threads: 1 to 16");
        } else if (arg == "--arrival-stamps") {
            o.arrival_stamps = true;
        } else if (arg == "--coalesce-us") {
            o.coalesce_us = std::stoi(value());
            if (o.coalesce_us < 0) die("--coalesce-us must be 0 or more");
        } else if (arg == "--help") {
            std::printf(
                "usage: sockudo_loadgen --scenario fanout|many-channels|idle|http-publish|churn\n"
                "  [--label NAME] [--host H] [--port P] [--publish-port P] [--app-id ID] [--key K] "
                "[--secret S]\n"
                "  [--clients N] [--channels N] [--rate PUBLISHES_PER_S (0 = max)] [--duration S]\n"
                "  [--warmup S] [--publishers N] [--per-request] [--batch N] [--window N]\n"
                "  [--payload BYTES] [--server-pid PID[,PID...]] [--ops N] [--plain-reads] "
                "[--plain-requests]\n"
                "  [--reader-threads N (fanout; default 1)]\n"
                "  [--coalesce-us US (fixed-rate fanout; 0 = off; default 100)]\n"
                "  [--arrival-stamps (fanout: latency also to each frame's arrival at its "
                "socket)]\n");
            std::exit(0);
        } else {
            die("unknown option " + arg);
        }
    }
    return o;
}

// ------------------------------------------------------------------------------------------
// Clocks, process figures

uint64_t ns_of(const timespec& ts) {
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t clock_ns(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return ns_of(ts);
}

uint64_t now_ns() {
    return clock_ns(CLOCK_MONOTONIC);
}

// A receive that also returns the socket's receive timestamp (sockets with SO_TIMESTAMPNS):
// its message header, data vector and room for the control data, kept together because the
// header points at the other two.
class StampedReceive {
public:
    // The header for one recvmsg() into buffer[0..bytes); the kernel updates it, so it is
    // prepared again for every receive.
    msghdr* prepare(char* buffer, size_t bytes) {
        iov_ = {buffer, bytes};
        header_ = msghdr{};
        header_.msg_iov = &iov_;
        header_.msg_iovlen = 1;
        header_.msg_control = control_;
        header_.msg_controllen = sizeof(control_);
        return &header_;
    }

    // When the last packet the receive took reached the socket, on the monotonic clock the
    // publishes carry (the kernel stamps with the real-time one); 0 without a timestamp.
    uint64_t stamp_ns() const {
        for (const cmsghdr* c = CMSG_FIRSTHDR(&header_); c != nullptr;
             c = CMSG_NXTHDR(const_cast<msghdr*>(&header_), const_cast<cmsghdr*>(c))) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
                c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
                timespec ts{};
                std::memcpy(&ts, CMSG_DATA(c), sizeof(ts));
                // Converted per receive, so a clock adjustment during a run moves one frame.
                return ns_of(ts) + clock_ns(CLOCK_MONOTONIC) - clock_ns(CLOCK_REALTIME);
            }
        }
        return 0;
    }

private:
    iovec iov_{};
    msghdr header_{};
    alignas(cmsghdr) char control_[CMSG_SPACE(sizeof(timespec))];
};

double self_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct ProcFigures {
    double cpu_seconds = 0;
    uint64_t rss_bytes = 0;
};

ProcFigures process_figures(int pid) {
    ProcFigures f;
    if (pid <= 0) return f;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (std::getline(stat, line)) {
        const auto close = line.rfind(')');
        std::istringstream fields(line.substr(close + 2));
        std::string field;
        const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
        for (int index = 3; fields >> field; ++index) {
            if (index == 14 || index == 15) f.cpu_seconds += std::stod(field) / ticks;
            if (index == 24) {
                f.rss_bytes = std::stoull(field) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
                break;
            }
        }
    }
    return f;
}

ProcFigures process_figures(const std::vector<int>& pids) {
    ProcFigures sum;
    for (int pid : pids) {
        const ProcFigures f = process_figures(pid);
        sum.cpu_seconds += f.cpu_seconds;
        sum.rss_bytes += f.rss_bytes;
    }
    return sum;
}

std::string loadavg() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

// ------------------------------------------------------------------------------------------
// Sockets with chosen source addresses

class SourcePorts {
public:
    // 127.0.0.2 .. 127.0.0.250, ports 10000..60999 each: far more than the file limit allows.
    sockaddr_in next() {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl((127u << 24) | (0u << 16) | (0u << 8) | ip_);
        a.sin_port = htons(static_cast<uint16_t>(port_));
        if (++port_ > 60999) {
            port_ = 10000;
            if (++ip_ > 250) ip_ = 2;
        }
        return a;
    }

private:
    unsigned ip_ = 2 + static_cast<unsigned>(getpid() % 200);
    int port_ = 10000 + static_cast<int>(now_ns() % 40000);
};

// `nodelay` only where several small writes may be in flight (WebSocket clients, keep-alive
// publishers): a per-request connection writes once, and each syscall here is the generator's
// own cost per request.
int bound_socket(SourcePorts& ports, bool nodelay) {
    for (int attempt = 0; attempt < 64; ++attempt) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
        // Every close resets (no TIME_WAIT to wait out); set here once rather than per close.
        linger reset{1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
        int one = 1;
        if (nodelay) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        sockaddr_in local = ports.next();
        if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) == 0) return fd;
        close(fd);  // that address/port is taken; try the next
    }
    die("could not find a free source address");
}

int connect_socket(SourcePorts& ports, const sockaddr_in& server, bool nodelay) {
    for (int attempt = 0; attempt < 64; ++attempt) {
        const int fd = bound_socket(ports, nodelay);
        if (connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof(server)) == 0 ||
            errno == EINPROGRESS) {
            return fd;
        }
        close(fd);
    }
    die("could not connect from any source address");
}

sockaddr_in ipv4_address(const std::string& host, int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) die("--host must be an IPv4 address");
    return a;
}

// A whole HTTP response at the start of a buffer: the size of its head (status line and
// headers, without the blank line), its size with the Content-Length body, and whether the
// status was 200.
struct HttpResponse {
    size_t head = 0;
    size_t length = 0;
    bool ok = false;
};

std::optional<HttpResponse> complete_http_response(const std::string& in) {
    const size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos) return std::nullopt;
    size_t body = 0;
    size_t cl = in.find("Content-Length: ");
    if (cl == std::string::npos || cl > end) cl = in.find("content-length: ");
    if (cl != std::string::npos && cl < end)
        body = std::strtoull(in.c_str() + cl + 16, nullptr, 10);
    if (in.size() < end + 4 + body) return std::nullopt;
    return HttpResponse{end, end + 4 + body, in.compare(0, 12, "HTTP/1.1 200") == 0};
}

// ------------------------------------------------------------------------------------------
// Signing (protocol-v1 §11.2)

std::string signed_post(const Options& o, const std::string& path, const std::string& body) {
    const std::string query = "auth_key=" + o.key +
                              "&auth_timestamp=" + std::to_string(std::time(nullptr)) +
                              "&auth_version=1.0&body_md5=" + sockudo::protocol::md5_hex(body);
    const std::string signature =
        sockudo::protocol::hmac_sha256_hex(o.secret, "POST\n" + path + "\n" + query);
    std::string req = "POST " + path + "?" + query + "&auth_signature=" + signature +
                      " HTTP/1.1\r\nHost: " + o.host +
                      "\r\nContent-Type: application/json\r\n"
                      "Content-Length: " +
                      std::to_string(body.size()) + "\r\n" +
                      (o.keepalive ? "" : "Connection: close\r\n") + "\r\n" + body;
    return req;
}

// An event whose data is "S<seq>T<monotonic ns>P<padding>": subscribers read the sequence
// number and the publish time back from it.
std::string bench_event(const std::string& channel, uint64_t seq, const std::string& padding) {
    return R"({"name":"bench","channel":")" + channel + R"(","data":"S)" + std::to_string(seq) +
           "T" + std::to_string(now_ns()) + "P" + padding + R"("})";
}

// ------------------------------------------------------------------------------------------
// WebSocket client frames

std::string masked_text_frame(std::string_view payload) {
    std::string f;
    f.push_back(static_cast<char>(0x81));
    const uint8_t mask_bit = 0x80;
    if (payload.size() < 126) {
        f.push_back(static_cast<char>(mask_bit | payload.size()));
    } else {
        f.push_back(static_cast<char>(mask_bit | 126));
        f.push_back(static_cast<char>((payload.size() >> 8) & 0xFF));
        f.push_back(static_cast<char>(payload.size() & 0xFF));
    }
    const uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
    for (uint8_t m : mask) f.push_back(static_cast<char>(m));
    for (size_t i = 0; i < payload.size(); ++i)
        f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
    return f;
}

// ------------------------------------------------------------------------------------------
// Batched reads
//
// Reading is most of the generator's cost per delivery, and on a virtual machine entering the
// kernel is a large part of each read. The sockets one epoll wakeup reports readable are read
// with one io_uring submission of non-blocking receives instead of one recv() each, so the
// generator keeps pace with a server that writes 5,000 sockets per publish and the latency it
// records is the server's, not its own backlog's.

class RecvBatch {
public:
    static constexpr unsigned kCapacity = 512;
    static constexpr size_t kBufferBytes = 16384;

    // `stamps`: receive with recvmsg() and keep each socket's receive timestamp (its control
    // data), for sockets with SO_TIMESTAMPNS.
    RecvBatch(bool enabled, bool stamps) : stamps_(stamps) {
        if (enabled && io_uring_queue_init(2 * kCapacity, &ring_, 0) == 0) {
            ready_ = true;
            buffers_.resize(kCapacity * kBufferBytes);
            if (stamps_) stamped_.resize(kCapacity);
        }
    }
    ~RecvBatch() {
        if (ready_) io_uring_queue_exit(&ring_);
    }
    RecvBatch(const RecvBatch&) = delete;
    RecvBatch& operator=(const RecvBatch&) = delete;

    bool ready() const { return ready_; }
    char* buffer(size_t slot) { return buffers_.data() + slot * kBufferBytes; }
    // When what slot's last receive read reached its socket (monotonic ns), 0 without a stamp.
    uint64_t stamp_ns(size_t slot) const { return stamps_ ? stamped_[slot].stamp_ns() : 0; }

    // results[i] for a socket this batch did not read (not submitted, or parked and
    // cancelled): its caller reads it the plain way, since an edge-triggered socket with data
    // left would not be reported again.
    static constexpr long kNotRead = LONG_MIN;

    // Receives once from each of `fds` (at most kCapacity) into buffer(i); results[i] is the
    // byte count, 0 at end of stream, -errno (-EAGAIN when nothing was there) or kNotRead.
    void receive(const int* fds, size_t count, long* results) {
        size_t prepared = 0;
        for (; prepared < count && prepared < kCapacity; ++prepared) {
            io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
            if (sqe == nullptr) break;
            if (stamps_) {
                io_uring_prep_recvmsg(sqe, fds[prepared],
                                      stamped_[prepared].prepare(buffer(prepared), kBufferBytes),
                                      MSG_DONTWAIT);
            } else {
                io_uring_prep_recv(sqe, fds[prepared], buffer(prepared), kBufferBytes,
                                   MSG_DONTWAIT);
            }
            io_uring_sqe_set_data64(sqe, prepared);
        }
        for (size_t i = 0; i < count; ++i) results[i] = kNotRead;
        const int submitted = std::max(0, io_uring_submit(&ring_));
        int outstanding = submitted;
        bool cancelled = false;
        while (outstanding > 0) {
            io_uring_cqe* cqe = nullptr;
            if (io_uring_peek_cqe(&ring_, &cqe) != 0 || cqe == nullptr) {
                // A non-blocking receive completes during the submission; one the kernel
                // parked anyway is cancelled rather than waited for.
                if (!cancelled) {
                    if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) {
                        io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
                        io_uring_sqe_set_data64(sqe, kCancelTag);
                        io_uring_submit(&ring_);
                    }
                    cancelled = true;
                }
                if (io_uring_wait_cqe(&ring_, &cqe) != 0 || cqe == nullptr) continue;
            }
            const uint64_t tag = io_uring_cqe_get_data64(cqe);
            if (tag != kCancelTag && tag < static_cast<uint64_t>(submitted)) {
                results[tag] = cqe->res == -ECANCELED ? kNotRead : cqe->res;
                --outstanding;
            }
            io_uring_cqe_seen(&ring_, cqe);
        }
        // Receives the kernel refused stay queued and would run with the next batch, into
        // buffers already handed out: start over with an empty ring, or read the plain way.
        if (static_cast<size_t>(submitted) < prepared) {
            io_uring_queue_exit(&ring_);
            ready_ = io_uring_queue_init(2 * kCapacity, &ring_, 0) == 0;
        }
    }

private:
    static constexpr uint64_t kCancelTag = ~uint64_t{0};
    io_uring ring_{};
    bool ready_ = false;
    const bool stamps_;
    std::vector<char> buffers_;
    std::vector<StampedReceive> stamped_;
};

// ------------------------------------------------------------------------------------------
// The event loop

enum class Kind : uint8_t { Subscriber, Publisher };
enum class WsState : uint8_t {
    Connecting,
    Upgrading,
    Established,
    Subscribing,
    Subscribed,
    Closed
};

struct Conn {
    int fd = -1;
    Kind kind = Kind::Subscriber;
    WsState state = WsState::Connecting;
    std::string in;
    std::string out;
    size_t out_off = 0;
    std::string channel;
    // Subscriber accounting.
    // Sequence numbers seen, one bit each: publishes on different HTTP connections may be
    // handled in either order (by different workers, say), so order is counted, not assumed.
    std::vector<uint64_t> seen;
    int64_t last_seq = -1;
    uint64_t received = 0;
    uint64_t duplicates = 0;
    uint64_t reordered = 0;
    // Publisher: requests waiting for a response.
    int in_flight = 0;
    bool server_closes = false;
    bool watching_output = true;  // EPOLLOUT is in the socket's epoll mask
    bool refused = false;         // counted in Loop::refused_
};

// Microseconds from `sent` to `until` (monotonic ns), 0 if `until` is earlier.
uint32_t micros_since(uint64_t sent, uint64_t until) {
    return until > sent
               ? static_cast<uint32_t>(std::min<uint64_t>((until - sent) / 1000, UINT32_MAX))
               : 0;
}

struct Stats {
    uint64_t published = 0;       // events accepted by the server (HTTP 200)
    uint64_t publish_errors = 0;  // non-200 responses
    uint64_t expected = 0;
    std::atomic<uint64_t> received{0};  // read by the publishing thread (see --reader-threads)
    uint64_t received_measured = 0;
    std::vector<uint32_t> latency_us;
    // Per publish (keyed by the timestamp it carries): the latency of its slowest delivery,
    // i.e. how long that publish took to reach every subscriber. A p99 over all deliveries
    // comes from the tails of the few slowest publishes; this shows how many there were.
    std::unordered_map<uint64_t, uint32_t> slowest_us;
    // The same to the moment each frame reached its socket (--arrival-stamps): without the
    // time it then waited for this process to read it.
    std::vector<uint32_t> arrival_us;
    std::unordered_map<uint64_t, uint32_t> slowest_arrival_us;
    uint64_t disconnects = 0;

    // A measured delivery of the publish sent at `sent`.
    void record(uint64_t sent, uint32_t latency) {
        ++received_measured;
        latency_us.push_back(latency);
        keep_slowest(slowest_us, sent, latency);
    }
    void record_arrival(uint64_t sent, uint32_t latency) {
        arrival_us.push_back(latency);
        keep_slowest(slowest_arrival_us, sent, latency);
    }

    // Adds what another loop's subscribers received (a reader thread's, once it has stopped).
    void add_deliveries(const Stats& other) {
        received += other.received.load();
        disconnects += other.disconnects;
        received_measured += other.received_measured;
        latency_us.insert(latency_us.end(), other.latency_us.begin(), other.latency_us.end());
        for (const auto& [sent, latency] : other.slowest_us)
            keep_slowest(slowest_us, sent, latency);
        arrival_us.insert(arrival_us.end(), other.arrival_us.begin(), other.arrival_us.end());
        for (const auto& [sent, latency] : other.slowest_arrival_us)
            keep_slowest(slowest_arrival_us, sent, latency);
    }

    static void keep_slowest(std::unordered_map<uint64_t, uint32_t>& by_publish, uint64_t sent,
                             uint32_t latency) {
        uint32_t& slowest = by_publish[sent];
        slowest = std::max(slowest, latency);
    }

    static std::vector<uint32_t> values(const std::unordered_map<uint64_t, uint32_t>& by_publish) {
        std::vector<uint32_t> out;
        out.reserve(by_publish.size());
        for (const auto& [sent, latency] : by_publish) out.push_back(latency);
        return out;
    }
};

class Loop {
public:
    explicit Loop(Options options)
        : o_(std::move(options)), reads_(o_.batched_reads, o_.arrival_stamps) {
        ep_ = epoll_create1(EPOLL_CLOEXEC);
        server_ = ipv4_address(o_.host, o_.port);
        publish_server_ = ipv4_address(o_.host, o_.publish_port > 0 ? o_.publish_port : o_.port);
        padding_.assign(static_cast<size_t>(std::max(0, o_.payload)), 'x');
    }

    Conn* open(Kind kind) {
        Conn* c = nullptr;
        if (!spare_.empty()) {
            c = spare_.back();
            spare_.pop_back();
            std::string in = std::move(c->in), out = std::move(c->out);  // keep their capacity
            in.clear();
            out.clear();
            *c = Conn{};
            c->in = std::move(in);
            c->out = std::move(out);
        } else {
            conns_.push_back(std::make_unique<Conn>());
            c = conns_.back().get();
        }
        c->kind = kind;
        const bool per_request = kind == Kind::Publisher && !o_.keepalive;
        c->fd = connect_socket(ports_, kind == Kind::Publisher ? publish_server_ : server_,
                               !per_request);
        if (o_.arrival_stamps && kind == Kind::Subscriber) {
            const int on = 1;
            if (setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) != 0)
                die(std::string("SO_TIMESTAMPNS: ") + std::strerror(errno));
        }
        c->state = WsState::Connecting;
        // A per-request publisher writes its request at once: on loopback the handshake is
        // usually complete when connect() returns, and a send that finds it unfinished asks
        // for EPOLLOUT then. Saves a wakeup per request.
        c->watching_output = !per_request;
        set_epoll_mask(c, EPOLL_CTL_ADD);
        if (per_request) on_connected(c);
        return c;
    }

    // Closes `c` and lets open() reuse it from the next turn of the loop on (handlers of this
    // turn may still hold it): for callers that keep no pointer to it, so that a connection
    // per request does not cost an allocation per request.
    void recycle(Conn* c) {
        close_conn(c, false);
        retired_.push_back(c);
    }

    void close_conn(Conn* c, bool counted = true) {
        if (c->fd < 0) return;
        if (counted && c->state == WsState::Subscribed) ++stats_.disconnects;
        if (counted && c->state != WsState::Connecting && c->state != WsState::Subscribed)
            refuse(c);
        // A reset (SO_LINGER 0 since connect_socket); closing the only descriptor also takes
        // it out of the epoll set.
        close(c->fd);
        c->fd = -1;
        c->state = WsState::Closed;
    }

    // A subscriber the server turned away after the TCP connect (over an app's connection
    // limit, a refused subscription): counted once, so that the connect phase stops waiting
    // for it.
    void refuse(Conn* c) {
        if (c->kind != Kind::Subscriber || c->refused) return;
        c->refused = true;
        ++refused_;
    }

    void set_epoll_mask(Conn* c, int op) {
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (c->watching_output ? EPOLLOUT : 0u);
        ev.data.ptr = c;
        epoll_ctl(ep_, op, c->fd, &ev);
    }

    void watch_output(Conn* c) {
        if (c->watching_output) return;
        c->watching_output = true;
        set_epoll_mask(c, EPOLL_CTL_MOD);
    }

    void send(Conn* c, std::string data) {
        if (c->fd < 0) return;
        if (c->out_off == c->out.size()) {
            c->out.clear();
            c->out_off = 0;
        }
        c->out += data;
        flush(c);
    }

    void flush(Conn* c) {
        while (c->fd >= 0 && c->out_off < c->out.size()) {
            ssize_t n =
                ::send(c->fd, c->out.data() + c->out_off, c->out.size() - c->out_off, MSG_NOSIGNAL);
            if (n > 0) {
                c->out_off += static_cast<size_t>(n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN)) {
                watch_output(c);  // full, or still connecting
                return;
            }
            close_conn(c);
            return;
        }
    }

    // Starts the WebSocket handshake once connected.
    void on_connected(Conn* c) {
        if (c->kind == Kind::Subscriber && c->state == WsState::Connecting) {
            c->state = WsState::Upgrading;
            send(c, "GET /app/" + o_.key +
                        "?protocol=7&client=loadgen&version=1.0 HTTP/1.1\r\nHost: " + o_.host +
                        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: "
                        "13\r\n\r\n");
        } else if (c->kind == Kind::Publisher && c->state == WsState::Connecting) {
            c->state = WsState::Established;
            if (on_publisher_ready) on_publisher_ready(c);
        }
    }

    void subscribe(Conn* c, const std::string& channel) {
        c->channel = channel;
        c->state = WsState::Subscribing;
        send(c, masked_text_frame(R"({"event":"pusher:subscribe","data":{"channel":")" + channel +
                                  R"("}})"));
    }

    // Leaves the current channel and joins `channel` with one write, as a client switching
    // channels within one turn of its event loop does on a corked socket.
    void switch_channel(Conn* c, const std::string& channel) {
        std::string frames = masked_text_frame(
            R"({"event":"pusher:unsubscribe","data":{"channel":")" + c->channel + R"("}})");
        frames += masked_text_frame(R"({"event":"pusher:subscribe","data":{"channel":")" + channel +
                                    R"("}})");
        c->channel = channel;
        c->state = WsState::Subscribing;
        send(c, std::move(frames));
    }

    // Reads and handles everything available on `c`.
    // `peer_closing`: the event said the peer shut down, so read on until EOF.
    // `stamp`: the receive timestamp of data read before this call, if any.
    void on_readable(Conn* c, bool peer_closing, uint64_t stamp = 0) {
        char buf[65536];
        for (;;) {
            ssize_t n = 0;
            if (o_.arrival_stamps) {
                StampedReceive receive;
                n = ::recvmsg(c->fd, receive.prepare(buf, sizeof(buf)), 0);
                if (n > 0) stamp = std::max(stamp, receive.stamp_ns());
            } else {
                n = ::recv(c->fd, buf, sizeof(buf), 0);
            }
            if (n > 0) {
                c->in.append(buf, static_cast<size_t>(n));
                // A short read drained the socket; what arrives later raises a new edge. Not
                // asking again until EAGAIN saves a syscall per wakeup.
                if (static_cast<size_t>(n) < sizeof(buf) && !peer_closing) break;
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            consume(c, stamp);
            close_conn(c);
            return;
        }
        consume(c, stamp);
    }

    // The batched form of on_readable for the first `count` entries of batch_conns_.
    void read_batch(size_t count) {
        long results[RecvBatch::kCapacity];
        reads_.receive(batch_fds_, count, results);
        for (size_t i = 0; i < count; ++i) {
            Conn* c = batch_conns_[i];
            if (c->fd < 0) continue;
            const long n = results[i];
            if (n == RecvBatch::kNotRead) {
                on_readable(c, false);
            } else if (n > 0) {
                c->in.append(reads_.buffer(i), static_cast<size_t>(n));
                // A full buffer may have left more behind; read the rest the plain way.
                if (static_cast<size_t>(n) == RecvBatch::kBufferBytes) {
                    on_readable(c, false, reads_.stamp_ns(i));
                } else {
                    consume(c, reads_.stamp_ns(i));
                }
            } else if (n != -EAGAIN && n != -EWOULDBLOCK) {
                consume(c);
                close_conn(c);
            }
        }
    }

    // `stamp`: when the last of the bytes just read reached the socket (monotonic ns), or 0.
    void consume(Conn* c, uint64_t stamp = 0) {
        if (c->kind == Kind::Publisher) {
            consume_http(c);
            return;
        }
        size_t off = 0;
        if (c->state == WsState::Upgrading) {
            const size_t end = c->in.find("\r\n\r\n");
            if (end == std::string::npos) return;
            if (c->in.compare(0, 12, "HTTP/1.1 101") != 0) {
                ++handshake_failures_;
                close_conn(c, false);
                return;
            }
            off = end + 4;
            c->state = WsState::Established;
        }
        while (c->fd >= 0) {
            if (c->in.size() - off < 2) break;
            const auto* p = reinterpret_cast<const uint8_t*>(c->in.data() + off);
            const uint8_t opcode = p[0] & 0x0F;
            uint64_t len = p[1] & 0x7F;
            size_t header = 2;
            if (len == 126) {
                if (c->in.size() - off < 4) break;
                len = (static_cast<uint64_t>(p[2]) << 8) | p[3];
                header = 4;
            } else if (len == 127) {
                if (c->in.size() - off < 10) break;
                len = 0;
                for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
                header = 10;
            }
            if (c->in.size() - off < header + len) break;
            std::string_view payload(c->in.data() + off + header, len);
            off += header + len;
            if (opcode == 0x8) {
                close_conn(c);
                return;
            }
            if (opcode == 0x1) on_text(c, payload, stamp);
        }
        c->in.erase(0, off);
    }

    void on_text(Conn* c, std::string_view msg, uint64_t stamp) {
        if (msg.find("\"bench\"") != std::string_view::npos) {
            // data is "S<seq>T<monotonic ns>P<padding>"
            const size_t s = msg.find("\"data\":\"S");
            if (s == std::string_view::npos) return;
            const char* at = msg.data() + s + 9;
            char* end = nullptr;
            const long long seq = std::strtoll(at, &end, 10);
            const unsigned long long sent = (*end == 'T') ? std::strtoull(end + 1, nullptr, 10) : 0;
            if (seq < 0) return;
            const auto bit = static_cast<uint64_t>(seq);
            if (c->seen.size() <= bit / 64) c->seen.resize(bit / 64 + 1, 0);
            uint64_t& word = c->seen[bit / 64];
            if ((word >> (bit % 64)) & 1) {
                ++c->duplicates;
                return;
            }
            word |= uint64_t{1} << (bit % 64);
            if (seq < c->last_seq) ++c->reordered;
            c->last_seq = std::max<int64_t>(c->last_seq, seq);
            ++c->received;
            ++stats_.received;
            if (measuring_ && sent >= measure_start_ns_) {
                stats_.record(sent, micros_since(sent, now_ns()));
                // Frames read together carry the last one's arrival: never early.
                if (stamp != 0) stats_.record_arrival(sent, micros_since(sent, stamp));
            }
            return;
        }
        if (msg.find("pusher:connection_established") != std::string_view::npos) {
            ++established_;
            if (on_established) on_established(c);
            return;
        }
        if (msg.find("pusher_internal:subscription_succeeded") != std::string_view::npos) {
            c->state = WsState::Subscribed;
            ++subscribed_;
            if (on_subscribed) on_subscribed(c);
            return;
        }
        if (msg.find("pusher:error") != std::string_view::npos ||
            msg.find("pusher:subscription_error") != std::string_view::npos) {
            ++protocol_errors_;
            if (c->state != WsState::Subscribed) refuse(c);
        }
    }

    void consume_http(Conn* c) {
        for (;;) {
            const auto response = complete_http_response(c->in);
            if (!response) return;
            // A server that closes after every response (Soketi does) costs a new connection
            // per request whatever the client asks for.
            const std::string_view head(c->in.data(), response->head);
            constexpr std::string_view kClose = "connection: close";
            c->server_closes =
                std::search(head.begin(), head.end(), kClose.begin(), kClose.end(),
                            [](char a, char b) {
                                return std::tolower(static_cast<unsigned char>(a)) == b;
                            }) != head.end();
            c->in.erase(0, response->length);
            --c->in_flight;
            if (on_response) on_response(c, response->ok);
            if (c->fd < 0) return;
        }
    }

    // Moves `c` to `other`'s epoll set; from then on only `other`'s thread may touch it.
    void hand_over(Conn* c, Loop& other) {
        epoll_ctl(ep_, EPOLL_CTL_DEL, c->fd, nullptr);
        other.set_epoll_mask(c, EPOLL_CTL_ADD);  // edge-triggered: reports what is pending
    }

    // Runs the loop until `until_ns` or until `done()` is true.
    void run(uint64_t until_ns, const std::function<bool()>& done = {},
             const std::function<void()>& tick = {}) {
        // One wakeup's readable sockets must fit one batch of receives.
        constexpr int kMaxEvents = static_cast<int>(RecvBatch::kCapacity);
        epoll_event events[kMaxEvents];
        while (now_ns() < until_ns && !(done && done())) {
            spare_.insert(spare_.end(), retired_.begin(), retired_.end());
            retired_.clear();
            const int n = epoll_wait(ep_, events, kMaxEvents, 1);
            size_t batched = 0;
            for (int i = 0; i < n; ++i) {
                Conn* c = static_cast<Conn*>(events[i].data.ptr);
                if (c->fd < 0) continue;
                // Readable with nothing else to do (an edge also reports a socket writable).
                const bool only_reading =
                    (events[i].events & EPOLLIN) != 0 &&
                    (events[i].events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) == 0 &&
                    c->state != WsState::Connecting && c->out_off == c->out.size();
                if (reads_.ready() && only_reading) {
                    batch_conns_[batched] = c;
                    batch_fds_[batched++] = c->fd;
                    continue;
                }
                if (events[i].events & (EPOLLERR | EPOLLHUP)) {
                    if (c->state == WsState::Connecting) ++connect_failures_;
                    on_readable(c, true);
                    if (c->fd >= 0) close_conn(c);
                    continue;
                }
                if (events[i].events & EPOLLOUT) {
                    if (c->state == WsState::Connecting) on_connected(c);
                    flush(c);
                }
                if ((events[i].events & (EPOLLIN | EPOLLRDHUP)) && c->fd >= 0) {
                    on_readable(c, (events[i].events & EPOLLRDHUP) != 0);
                }
            }
            if (batched > 0) read_batch(batched);
            if (tick) tick();
            // Read moderation, as a NIC moderates its interrupts: a server that writes a
            // publish's frames slowly would otherwise wake the generator for nearly every one,
            // and on a shared core the generator's wake-ups come out of that server's time.
            if (coalesce_ns_ > 0 && n > 0 && n < kMaxEvents) {
                const timespec pause{0, static_cast<long>(coalesce_ns_)};
                nanosleep(&pause, nullptr);
            }
        }
    }

    std::string event_body(const std::string& channel, uint64_t seq) {
        return bench_event(channel, seq, padding_);
    }

    std::string batch_body(const std::vector<std::string>& channels,
                           const std::vector<uint64_t>& seqs) {
        std::string body = R"({"batch":[)";
        for (size_t i = 0; i < channels.size(); ++i) {
            if (i) body += ",";
            body += event_body(channels[i], seqs[i]);
        }
        body += "]}";
        return body;
    }

    Options o_;
    RecvBatch reads_;
    int ep_;
    sockaddr_in server_{};
    sockaddr_in publish_server_{};
    SourcePorts ports_;
    std::vector<std::unique_ptr<Conn>> conns_;
    std::vector<Conn*> spare_, retired_;
    std::string padding_;
    Conn* batch_conns_[RecvBatch::kCapacity]{};
    int batch_fds_[RecvBatch::kCapacity]{};
    Stats stats_;
    // Set by the publishing thread, read by this loop's (with reader threads, another one).
    std::atomic<bool> measuring_{false};
    // See run(); on only while fixed-rate publishes are measured.
    std::atomic<uint64_t> coalesce_ns_{0};
    std::atomic<uint64_t> measure_start_ns_{0};
    uint64_t established_ = 0, subscribed_ = 0, handshake_failures_ = 0, connect_failures_ = 0,
             protocol_errors_ = 0, refused_ = 0;

    // Subscribers that will not become subscribed: the connect phase waits for the others only.
    uint64_t turned_away() const { return handshake_failures_ + connect_failures_ + refused_; }
    std::function<void(Conn*)> on_established, on_subscribed, on_publisher_ready;
    std::function<void(Conn*, bool)> on_response;
};

// ------------------------------------------------------------------------------------------
// Output

double percentile(std::vector<uint32_t>& v, double p) {
    if (v.empty()) return 0;
    const size_t k =
        std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1)));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k] / 1000.0;
}

struct Json {
    std::string s = "{";
    void field(const char* k, const std::string& v) {
        sep();
        s += "\"" + std::string(k) + "\":\"" + v + "\"";
    }
    void field(const char* k, double v) {
        sep();
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.6g", v);
        s += "\"" + std::string(k) + "\":" + buf;
    }
    void field(const char* k, uint64_t v) {
        sep();
        s += "\"" + std::string(k) + "\":" + std::to_string(v);
    }
    void sep() {
        if (s.size() > 1) s += ",";
    }
    std::string done() { return s + "}"; }
};

// ------------------------------------------------------------------------------------------
// Scenarios

// Connects `count` subscribers, `channel_of(i)` each, at most `parallel` handshakes at a time.
// Returns the connect phase's duration in seconds.
double connect_subscribers(Loop& loop, int count, const std::function<std::string(int)>& channel_of,
                           int parallel, std::vector<Conn*>& out) {
    const uint64_t start = now_ns();
    int opened = 0;
    loop.on_established = [&](Conn* c) { loop.subscribe(c, c->channel); };
    auto open_more = [&] {
        while (opened < count &&
               static_cast<int>(opened - loop.subscribed_ - loop.turned_away()) < parallel) {
            Conn* c = loop.open(Kind::Subscriber);
            c->channel = channel_of(opened);
            out.push_back(c);
            ++opened;
        }
    };
    open_more();
    loop.run(
        now_ns() + 120'000'000'000ULL,
        [&] { return loop.subscribed_ + loop.turned_away() >= static_cast<uint64_t>(count); },
        open_more);
    return static_cast<double>(now_ns() - start) / 1e9;
}

int run_publish_scenario(const Options& o, bool many_channels) {
    Loop loop(o);
    std::vector<Conn*> subs;
    const int channels = many_channels ? o.clients : std::max(1, o.channels);
    auto channel_name = [](int i) { return "bench-" + std::to_string(i); };
    const double connect_s = connect_subscribers(
        loop, o.clients, [&](int i) { return channel_name(i % channels); }, o.connect_parallel,
        subs);
    if (loop.subscribed_ < static_cast<uint64_t>(o.clients)) {
        std::fprintf(stderr,
                     "loadgen: only %" PRIu64 " of %d subscribers ready (%" PRIu64
                     " refused by the server, %" PRIu64 " failed to connect)\n",
                     loop.subscribed_, o.clients, loop.refused_,
                     loop.handshake_failures_ + loop.connect_failures_);
    }
    std::vector<uint64_t> per_channel_subs(static_cast<size_t>(channels), 0);
    for (Conn* c : subs) {
        if (c->state == WsState::Subscribed) per_channel_subs[std::stoul(c->channel.substr(6))]++;
    }

    // Reader threads: subscribers dealt out in turn (so that each thread has some of those the
    // server writes first and some of those it writes last), each thread with its own epoll.
    // Five thousand clients are five thousand readers; one thread reading them all is a
    // bottleneck of the generator's own when the server is done before it is.
    std::vector<std::unique_ptr<Loop>> readers;
    for (int k = 1; k < o.reader_threads; ++k) readers.push_back(std::make_unique<Loop>(o));
    for (size_t i = 0; i < subs.size() && !readers.empty(); ++i) {
        const size_t k = i % (readers.size() + 1);
        if (k > 0 && subs[i]->fd >= 0) loop.hand_over(subs[i], *readers[k - 1]);
    }
    std::atomic<bool> stop_readers{false};
    std::vector<std::thread> reader_threads;
    for (auto& reader : readers) {
        reader_threads.emplace_back([&stop_readers, r = reader.get()] {
            r->run(UINT64_MAX, [&] { return stop_readers.load(std::memory_order_relaxed); });
        });
    }
    auto every_loop = [&](const auto& f) {
        f(loop);
        for (auto& reader : readers) f(*reader);
    };
    auto received = [&] {
        uint64_t n = 0;
        every_loop([&](Loop& l) { n += l.stats_.received.load(std::memory_order_relaxed); });
        return n;
    };

    // Publishers.
    std::deque<Conn*> ready;
    uint64_t seq = 0;
    std::vector<uint64_t> channel_seq(static_cast<size_t>(channels), 0);
    std::mt19937 rng(42);
    uint64_t next_publish_ns = 0;
    const double interval_ns = o.rate > 0 ? 1e9 / o.rate : 0;
    uint64_t in_flight_events = 0;
    std::map<Conn*, std::deque<std::vector<size_t>>> fifo;

    auto publish_on = [&](Conn* p) {
        std::vector<std::string> names;
        std::vector<uint64_t> seqs;
        std::vector<size_t> ids;
        const int events = std::max(1, o.batch);
        for (int k = 0; k < events; ++k) {
            const size_t ch = many_channels ? rng() % static_cast<size_t>(channels)
                                            : seq % static_cast<size_t>(channels);
            ids.push_back(ch);
            names.push_back(channel_name(static_cast<int>(ch)));
            seqs.push_back(channel_seq[ch]++);
            ++seq;
        }
        const std::string path =
            events > 1 ? "/apps/" + o.app_id + "/batch_events" : "/apps/" + o.app_id + "/events";
        const std::string body =
            events > 1 ? loop.batch_body(names, seqs) : loop.event_body(names[0], seqs[0]);
        ++p->in_flight;
        in_flight_events += static_cast<uint64_t>(events);
        fifo[p].push_back(ids);
        loop.send(p, signed_post(o, path, body));
    };
    loop.on_publisher_ready = [&](Conn* p) { ready.push_back(p); };
    loop.on_response = [&](Conn* p, bool ok) {
        auto ids = std::move(fifo[p].front());
        fifo[p].pop_front();
        in_flight_events -= ids.size();
        if (ok) {
            loop.stats_.published += ids.size();
            for (size_t ch : ids) loop.stats_.expected += per_channel_subs[ch];
        } else {
            loop.stats_.publish_errors += ids.size();
        }
        if (!o.keepalive || p->server_closes) {
            loop.recycle(p);  // its queue of requests in flight is empty now
            loop.open(Kind::Publisher);
        } else {
            ready.push_back(p);
        }
    };
    for (int i = 0; i < o.publishers; ++i) loop.open(Kind::Publisher);

    const uint64_t warmup_end = now_ns() + static_cast<uint64_t>(o.warmup * 1e9);
    const uint64_t end = warmup_end + static_cast<uint64_t>(o.duration * 1e9);
    ProcFigures server_before{};
    double self_before = 0;
    uint64_t received_before = 0, expected_before = 0;
    bool started = false;
    auto tick = [&] {
        const uint64_t now = now_ns();
        if (!started && now >= warmup_end) {
            started = true;
            every_loop([&](Loop& l) {
                l.measure_start_ns_ = now;
                l.measuring_ = true;
            });
            server_before = process_figures(o.server_pids);
            self_before = self_cpu_seconds();
            received_before = received();
            expected_before = loop.stats_.expected;
        }
        if (o.rate > 0) {
            if (next_publish_ns == 0) next_publish_ns = now;
            while (next_publish_ns <= now && !ready.empty()) {
                Conn* p = ready.front();
                ready.pop_front();
                if (p->fd < 0) continue;
                publish_on(p);
                next_publish_ns += static_cast<uint64_t>(interval_ns * std::max(1, o.batch));
            }
        } else {
            // Closed loop: keep at most `window` publishes' worth of deliveries outstanding.
            const uint64_t per_event = std::max<uint64_t>(
                1, loop.stats_.expected / std::max<uint64_t>(1, loop.stats_.published));
            while (!ready.empty()) {
                const uint64_t delivered = received();
                const uint64_t undelivered =
                    loop.stats_.expected > delivered ? loop.stats_.expected - delivered : 0;
                if (in_flight_events + undelivered / per_event >=
                    static_cast<uint64_t>(o.window * std::max(1, o.batch)))
                    break;
                Conn* p = ready.front();
                ready.pop_front();
                if (p->fd < 0) continue;
                publish_on(p);
            }
        }
    };
    // At a fixed rate the latency is what is measured, and a pause of coalesce_us (plus the
    // timer's slack) adds about that to a frame's; closed-loop runs measure throughput and never
    // pause.
    const uint64_t coalesce_us = o.rate > 0 ? static_cast<uint64_t>(o.coalesce_us) : 0;
    every_loop([&](Loop& l) { l.coalesce_ns_ = coalesce_us * 1000; });
    loop.run(end, {}, tick);
    every_loop([](Loop& l) { l.coalesce_ns_ = 0; });
    const ProcFigures server_after = process_figures(o.server_pids);
    const double self_cpu = self_cpu_seconds() - self_before;
    // Let deliveries of the last publishes arrive (bounded), for exact accounting.
    const uint64_t expected_at_end = loop.stats_.expected;
    every_loop([](Loop& l) { l.measuring_ = false; });
    loop.run(now_ns() + 5'000'000'000ULL,
             [&] { return in_flight_events == 0 && received() >= loop.stats_.expected; });
    stop_readers = true;
    for (std::thread& t : reader_threads) t.join();
    Stats& stats = loop.stats_;  // every reader's figures added to it
    for (auto& reader : readers) stats.add_deliveries(reader->stats_);
    const uint64_t received_total = stats.received.load();

    // gaps: sequence numbers below a subscriber's highest that never arrived.
    uint64_t duplicates = 0, reordered = 0, gaps = 0;
    for (Conn* c : subs) {
        duplicates += c->duplicates;
        reordered += c->reordered;
        uint64_t unique = 0;
        for (uint64_t word : c->seen) unique += static_cast<uint64_t>(__builtin_popcountll(word));
        gaps += static_cast<uint64_t>(c->last_seq + 1) - unique;
    }
    const uint64_t missing = stats.expected > received_total ? stats.expected - received_total : 0;
    const double delivered_in_window = static_cast<double>(
        std::min(received_total, expected_at_end) - std::min(received_before, expected_at_end));
    const double server_cpu = server_after.cpu_seconds - server_before.cpu_seconds;
    Json j;
    j.field("scenario", many_channels ? std::string("many-channels")
                                      : std::string(o.rate > 0 ? "fanout-fixed" : "fanout-max"));
    j.field("server", o.label);
    j.field("clients", static_cast<uint64_t>(o.clients));
    j.field("subscribed", loop.subscribed_);
    j.field("refused", loop.refused_);
    j.field("channels", static_cast<uint64_t>(channels));
    j.field("rate", o.rate);
    j.field("coalesce_us", coalesce_us);
    j.field("reader_threads", static_cast<uint64_t>(o.reader_threads));
    j.field("duration_s", o.duration);
    j.field("connect_s", connect_s);
    j.field("published", loop.stats_.published);
    j.field("publish_errors", loop.stats_.publish_errors);
    j.field("expected", loop.stats_.expected);
    j.field("received", received_total);
    j.field("missing", missing);
    j.field("duplicates", duplicates);
    j.field("gaps", gaps);
    j.field("reordered", reordered);
    j.field("disconnects", loop.stats_.disconnects);
    j.field("deliveries_per_s", delivered_in_window / o.duration);
    (void)expected_before;
    j.field("latency_p50_ms", percentile(loop.stats_.latency_us, 0.50));
    j.field("latency_p90_ms", percentile(loop.stats_.latency_us, 0.90));
    j.field("latency_p99_ms", percentile(loop.stats_.latency_us, 0.99));
    j.field("latency_max_ms", percentile(loop.stats_.latency_us, 1.0));
    std::vector<uint32_t> slowest = Stats::values(loop.stats_.slowest_us);
    j.field("publish_last_p50_ms", percentile(slowest, 0.50));
    j.field("publish_last_p90_ms", percentile(slowest, 0.90));
    j.field("publish_last_max_ms", percentile(slowest, 1.0));
    if (o.arrival_stamps) {
        // To the kernel's receive timestamp instead of this process's read: what remains when
        // the generator's own wait to read is taken out. `arrival_unstamped`: measured
        // deliveries that came without a timestamp (not in these figures).
        j.field("arrival_unstamped", loop.stats_.received_measured -
                                         static_cast<uint64_t>(loop.stats_.arrival_us.size()));
        j.field("arrival_p50_ms", percentile(loop.stats_.arrival_us, 0.50));
        j.field("arrival_p99_ms", percentile(loop.stats_.arrival_us, 0.99));
        j.field("arrival_max_ms", percentile(loop.stats_.arrival_us, 1.0));
        std::vector<uint32_t> arrival_last = Stats::values(loop.stats_.slowest_arrival_us);
        j.field("publish_arrival_last_p50_ms", percentile(arrival_last, 0.50));
    }
    j.field("server_cpu_s", server_cpu);
    j.field("server_cpu_us_per_delivery",
            delivered_in_window > 0 ? server_cpu * 1e6 / delivered_in_window : 0.0);
    j.field("server_rss_bytes", server_after.rss_bytes);
    j.field("loadgen_cpu_s", self_cpu);
    j.field("loadgen_cpu_share", self_cpu / o.duration);
    j.field("loadavg", loadavg());
    std::printf("%s\n", j.done().c_str());
    // A run with fewer subscribers than asked for is reported, but it is not the run asked for.
    return missing == 0 && duplicates == 0 && loop.subscribed_ == static_cast<uint64_t>(o.clients)
               ? 0
               : 1;
}

// The measured part of an http-publish run: it starts when the warm-up ends, and from then on
// requests, the servers' CPU and the generator's own are counted.
class PublishWindow {
public:
    explicit PublishWindow(const Options& o)
        : o_(o),
          warmup_end_(now_ns() + static_cast<uint64_t>(o.warmup * 1e9)),
          end_(warmup_end_ + static_cast<uint64_t>(o.duration * 1e9)) {}

    uint64_t end_ns() const { return end_; }

    // Called as the run goes; `ok` is the count of requests answered 200 so far.
    void tick(uint64_t ok) {
        if (started_ || now_ns() < warmup_end_) return;
        started_ = true;
        ok_before_ = ok;
        server_before_ = process_figures(o_.server_pids);
        self_before_ = self_cpu_seconds();
    }

    // Prints the result line: `ok` and `errors` are the run's totals; `errors` (other answers,
    // failed connections) counts the warm-up too.
    int report(const char* via, uint64_t ok, uint64_t errors) const;

private:
    const Options& o_;
    const uint64_t warmup_end_;
    const uint64_t end_;
    bool started_ = false;
    uint64_t ok_before_ = 0;
    ProcFigures server_before_{};
    double self_before_ = 0;
};

int PublishWindow::report(const char* via, uint64_t ok, uint64_t errors) const {
    const uint64_t requests = ok - ok_before_;
    const ProcFigures server_after = process_figures(o_.server_pids);
    const double self_cpu = self_cpu_seconds() - self_before_;
    Json j;
    j.field("scenario", std::string("http-publish"));
    j.field("server", o_.label);
    j.field("subscribers", static_cast<uint64_t>(o_.clients));
    j.field("connections", std::string(o_.keepalive ? "keep-alive" : "per-request"));
    j.field("requests_via", std::string(via));
    j.field("publishers", static_cast<uint64_t>(o_.publishers));
    j.field("requests", requests);
    j.field("errors", errors);
    j.field("requests_per_s", static_cast<double>(requests) / o_.duration);
    const double server_cpu = server_after.cpu_seconds - server_before_.cpu_seconds;
    j.field("server_cpu_s", server_cpu);
    // Per request, the server's own cost: the figure that still compares servers when the
    // generator, not the server, limits requests/s (per-request connections on 2 cores).
    j.field("server_cpu_us_per_request",
            requests > 0 ? server_cpu * 1e6 / static_cast<double>(requests) : 0.0);
    j.field("loadgen_cpu_s", self_cpu);
    j.field("loadgen_cpu_share", self_cpu / o_.duration);
    j.field("loadavg", loadavg());
    std::printf("%s\n", j.done().c_str());
    return errors == 0 ? 0 : 1;
}

// Per-request publishing through io_uring. Each publisher slot runs connect → request →
// response → close as io_uring requests (connect, send and the first receive linked, submitted
// with the other slots' in one call); only the three calls that prepare a socket (socket,
// SO_LINGER, bind) stay plain. The epoll path makes nine system calls per request and, against
// a fast server, its cost per request was the scenario's ceiling. The kernel's TCP work per
// request is the same on both paths; the gain needs completions to run in batches when this
// thread waits (DEFER_TASKRUN): run on arrival instead, each one interrupted the generator and
// the ring was slower than epoll (bench/README.md).
class RequestRing {
public:
    RequestRing(const Options& o, uint64_t& ok, uint64_t& errors)
        : o_(o),
          ok_(ok),
          errors_(errors),
          server_(ipv4_address(o.host, o.publish_port > 0 ? o.publish_port : o.port)),
          padding_(static_cast<size_t>(std::max(0, o.payload)), 'x'),
          slots_(static_cast<size_t>(std::max(1, o.publishers))) {
        // Per slot at most four requests in flight (connect, send, receive, close).
        const unsigned entries = static_cast<unsigned>(std::max<size_t>(64, 8 * slots_.size()));
        // Completions run when this thread asks for them, not by interrupting it.
        if (io_uring_queue_init(entries, &ring_,
                                IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN) != 0 &&
            io_uring_queue_init(entries, &ring_, 0) != 0) {
            return;
        }
        io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
        ready_ = probe != nullptr;
        for (int op : {IORING_OP_CONNECT, IORING_OP_SEND, IORING_OP_RECV, IORING_OP_CLOSE}) {
            ready_ = ready_ && io_uring_opcode_supported(probe, op);
        }
        if (probe != nullptr) io_uring_free_probe(probe);
        if (!ready_) io_uring_queue_exit(&ring_);
    }
    ~RequestRing() {
        if (!ready_) return;
        for (Slot& slot : slots_) {
            if (slot.fd >= 0) close(slot.fd);
        }
        io_uring_queue_exit(&ring_);
    }
    RequestRing(const RequestRing&) = delete;
    RequestRing& operator=(const RequestRing&) = delete;

    bool ready() const { return ready_; }

    // Runs requests until `until_ns`, calling `tick` after each batch of completions.
    void run(uint64_t until_ns, const std::function<void()>& tick) {
        for (size_t i = 0; i < slots_.size(); ++i) start(i);
        while (now_ns() < until_ns) {
            io_uring_cqe* cqe = nullptr;
            __kernel_timespec wait{0, 50'000'000};
            const int rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &wait, nullptr);
            if (rc < 0 && rc != -ETIME && rc != -EINTR)
                die(std::string("io_uring: ") + std::strerror(-rc));
            unsigned head = 0;
            unsigned seen = 0;
            io_uring_for_each_cqe(&ring_, head, cqe) {
                complete(cqe->user_data, cqe->res);
                ++seen;
            }
            io_uring_cq_advance(&ring_, seen);
            tick();
        }
    }

private:
    enum Op : uint64_t { kConnect = 0, kSend = 1, kRecv = 2, kClose = 3 };
    struct Slot {
        int fd = -1;
        uint32_t generation = 0;  // completions of an earlier connection of this slot are stale
        std::string request;
        std::string response;
        char buffer[4096];
    };

    static uint64_t tag(size_t slot, uint32_t generation, Op op) {
        return (uint64_t{generation} << 32) | (static_cast<uint64_t>(slot) << 2) | op;
    }

    io_uring_sqe* sqe() {
        io_uring_sqe* s = io_uring_get_sqe(&ring_);
        if (s == nullptr) {
            io_uring_submit(&ring_);
            s = io_uring_get_sqe(&ring_);
            if (s == nullptr) die("io_uring: no submission entry free");
        }
        return s;
    }

    // A fresh connection for slot `i`, its request and the read of the answer, linked.
    void start(size_t i) {
        Slot& slot = slots_[i];
        ++slot.generation;
        slot.fd = bound_socket(ports_, false);
        slot.request = signed_post(o_, "/apps/" + o_.app_id + "/events",
                                   bench_event("bench-0", seq_++, padding_));
        slot.response.clear();
        io_uring_sqe* s = sqe();
        io_uring_prep_connect(s, slot.fd, reinterpret_cast<const sockaddr*>(&server_),
                              sizeof(server_));
        io_uring_sqe_set_data64(s, tag(i, slot.generation, kConnect));
        s->flags |= IOSQE_IO_LINK;
        // All of it (the kernel goes on after a short write) or a failure that cancels the read.
        s = sqe();
        io_uring_prep_send(s, slot.fd, slot.request.data(), slot.request.size(),
                           MSG_NOSIGNAL | MSG_WAITALL);
        io_uring_sqe_set_data64(s, tag(i, slot.generation, kSend));
        s->flags |= IOSQE_IO_LINK;
        receive(i);
    }

    void receive(size_t i) {
        Slot& slot = slots_[i];
        io_uring_sqe* s = sqe();
        io_uring_prep_recv(s, slot.fd, slot.buffer, sizeof(slot.buffer), 0);
        io_uring_sqe_set_data64(s, tag(i, slot.generation, kRecv));
    }

    // Closes slot `i`'s connection (a reset: SO_LINGER 0) and starts the next.
    void restart(size_t i) {
        Slot& slot = slots_[i];
        io_uring_sqe* s = sqe();
        io_uring_prep_close(s, slot.fd);
        io_uring_sqe_set_data64(s, tag(i, slot.generation, kClose));
        slot.fd = -1;
        start(i);
    }

    void complete(uint64_t user_data, int res) {
        const auto op = static_cast<Op>(user_data & 3);
        const size_t i = static_cast<size_t>((user_data & 0xFFFFFFFFu) >> 2);
        if (op == kClose || i >= slots_.size()) return;
        Slot& slot = slots_[i];
        // Requests linked after one that failed end as cancelled; the failure was handled.
        if (static_cast<uint32_t>(user_data >> 32) != slot.generation || res == -ECANCELED) return;
        if (op == kConnect) {
            if (res < 0) fail(i);
            return;
        }
        if (op == kSend) {
            if (res < 0 || static_cast<size_t>(res) < slot.request.size()) fail(i);
            return;
        }
        if (res <= 0) {  // the server closed or failed before its whole answer
            fail(i);
            return;
        }
        slot.response.append(slot.buffer, static_cast<size_t>(res));
        const auto response = complete_http_response(slot.response);
        if (!response) {
            receive(i);
            return;
        }
        ++(response->ok ? ok_ : errors_);
        restart(i);
    }

    void fail(size_t i) {
        ++errors_;
        restart(i);
    }

    const Options& o_;
    uint64_t& ok_;
    uint64_t& errors_;
    const sockaddr_in server_;
    const std::string padding_;
    std::vector<Slot> slots_;
    SourcePorts ports_;
    uint64_t seq_ = 0;
    io_uring ring_{};
    bool ready_ = false;
};

// The per-request scenario without subscribers on RequestRing; false when the kernel lacks it.
bool run_http_publish_ring(const Options& o, int& rc) {
    uint64_t ok = 0, errors = 0;
    RequestRing ring(o, ok, errors);
    if (!ring.ready()) return false;
    PublishWindow window(o);
    ring.run(window.end_ns(), [&] { window.tick(ok); });
    rc = window.report("io_uring", ok, errors);
    return true;
}

int run_http_publish(const Options& o) {
    if (!o.keepalive && o.clients == 0 && o.ring_requests) {
        int rc = 0;
        if (run_http_publish_ring(o, rc)) return rc;
    }
    Loop loop(o);
    std::vector<Conn*> subs;
    if (o.clients > 0) {
        connect_subscribers(
            loop, o.clients, [](int) { return std::string("bench-0"); }, o.connect_parallel, subs);
    }
    uint64_t seq = 0, ok = 0, errors = 0;
    std::deque<Conn*> ready;
    loop.on_publisher_ready = [&](Conn* p) { ready.push_back(p); };
    loop.on_response = [&](Conn* p, bool good) {
        (good ? ok : errors)++;
        if (!o.keepalive || p->server_closes) {
            loop.recycle(p);
            loop.open(Kind::Publisher);
        } else {
            ready.push_back(p);
        }
    };
    for (int i = 0; i < o.publishers; ++i) loop.open(Kind::Publisher);
    PublishWindow window(o);
    loop.run(window.end_ns(), {}, [&] {
        window.tick(ok);
        while (!ready.empty()) {
            Conn* p = ready.front();
            ready.pop_front();
            if (p->fd < 0) continue;
            ++p->in_flight;
            loop.send(p, signed_post(o, "/apps/" + o.app_id + "/events",
                                     loop.event_body("bench-0", seq++)));
        }
    });
    return window.report("epoll", ok, errors);
}

int run_idle(const Options& o) {
    Loop loop(o);
    const ProcFigures before = process_figures(o.server_pids);
    std::vector<Conn*> subs;
    const double connect_s = connect_subscribers(
        loop, o.clients,
        [&](int i) { return "idle-" + std::to_string(i % std::max(1, o.channels)); },
        o.connect_parallel, subs);
    // Let the server settle, then read its memory.
    loop.run(now_ns() + 1'000'000'000ULL);
    const ProcFigures after = process_figures(o.server_pids);
    Json j;
    j.field("scenario", std::string("idle-capacity"));
    j.field("server", o.label);
    j.field("clients", static_cast<uint64_t>(o.clients));
    j.field("subscribed", loop.subscribed_);
    j.field("refused", loop.refused_);
    j.field("failures", loop.handshake_failures_ + loop.connect_failures_);
    j.field("connect_s", connect_s);
    j.field("connects_per_s", static_cast<double>(loop.subscribed_) / connect_s);
    j.field("server_rss_before", before.rss_bytes);
    j.field("server_rss_after", after.rss_bytes);
    j.field("bytes_per_connection", loop.subscribed_ > 0 && after.rss_bytes > before.rss_bytes
                                        ? static_cast<double>(after.rss_bytes - before.rss_bytes) /
                                              static_cast<double>(loop.subscribed_)
                                        : 0.0);
    j.field("loadavg", loadavg());
    std::printf("%s\n", j.done().c_str());
    return loop.subscribed_ == static_cast<uint64_t>(o.clients) ? 0 : 1;
}

// Each client cycles: once subscribed, it unsubscribes and subscribes to another channel (both
// frames in one write); every 10th cycle it reconnects instead.
int run_churn(const Options& o) {
    Loop loop(o);
    std::vector<Conn*> subs;
    connect_subscribers(
        loop, o.clients, [](int i) { return "churn-" + std::to_string(i % 100); },
        o.connect_parallel, subs);
    const ProcFigures before = process_figures(o.server_pids);
    uint64_t ops = 0;
    std::map<Conn*, int> cycles;
    std::mt19937 rng(7);
    loop.on_subscribed = [&](Conn* c) {
        ++ops;
        if (++cycles[c] % 10 == 0) {
            loop.close_conn(c, false);
            Conn* fresh = loop.open(Kind::Subscriber);
            fresh->channel = "churn-" + std::to_string(rng() % 100);
            ++ops;
            return;
        }
        ++ops;  // the unsubscribe; the subscribe counts when acknowledged
        loop.switch_channel(c, "churn-" + std::to_string(rng() % 100));
    };
    loop.on_established = [&](Conn* c) { loop.subscribe(c, c->channel); };
    // Kick every client once.
    for (Conn* c : subs) {
        if (c->state == WsState::Subscribed) {
            loop.switch_channel(c, c->channel);
        }
    }
    const uint64_t start = now_ns();
    const double self_before = self_cpu_seconds();
    loop.run(start + static_cast<uint64_t>(o.duration * 1e9),
             [&] { return o.churn_ops > 0 && ops >= static_cast<uint64_t>(o.churn_ops); });
    const double elapsed = static_cast<double>(now_ns() - start) / 1e9;
    loop.run(now_ns() + 1'000'000'000ULL);
    const ProcFigures after = process_figures(o.server_pids);
    Json j;
    j.field("scenario", std::string("churn"));
    j.field("server", o.label);
    j.field("clients", static_cast<uint64_t>(o.clients));
    j.field("ops", ops);
    j.field("ops_per_s", static_cast<double>(ops) / elapsed);
    j.field("server_rss_before", before.rss_bytes);
    j.field("server_rss_after", after.rss_bytes);
    j.field("rss_growth_bytes",
            static_cast<double>(after.rss_bytes) - static_cast<double>(before.rss_bytes));
    j.field("protocol_errors", loop.protocol_errors_);
    j.field("loadgen_cpu_s", self_cpu_seconds() - self_before);
    j.field("loadavg", loadavg());
    std::printf("%s\n", j.done().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parse_options(argc, argv);
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (o.scenario == "fanout") return run_publish_scenario(o, false);
    if (o.scenario == "many-channels") return run_publish_scenario(o, true);
    if (o.scenario == "http-publish") return run_http_publish(o);
    if (o.scenario == "idle") return run_idle(o);
    if (o.scenario == "churn") return run_churn(o);
    die("unknown scenario " + o.scenario);
}
