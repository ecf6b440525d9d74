// The floor: a deliberately minimal stand-in server used only to measure what the kernel and
// the load generator cost on this machine. It accepts, completes the WebSocket handshake,
// answers subscribe, and writes each published event to every subscriber — no validation,
// no signature checks, no bookkeeping beyond a channel → sockets map. Never shipped.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

struct Client {
    int fd = -1;
    bool websocket = false;
    std::string in;
    std::string out;
};

std::unordered_map<int, Client> clients;
std::unordered_map<std::string, std::vector<int>> channels;
int ep = -1;
uint64_t socket_counter = 0;

std::string accept_key(std::string_view key) {
    std::string input(key);
    input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(input.data(), input.size(), digest, &n, EVP_sha1(), nullptr);
    unsigned char b64[64];
    const int len = EVP_EncodeBlock(b64, digest, static_cast<int>(n));
    return std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(len));
}

std::string text_frame(std::string_view payload) {
    std::string f;
    f.push_back(static_cast<char>(0x81));
    if (payload.size() < 126) {
        f.push_back(static_cast<char>(payload.size()));
    } else if (payload.size() < 65536) {
        f.push_back(126);
        f.push_back(static_cast<char>(payload.size() >> 8));
        f.push_back(static_cast<char>(payload.size() & 0xFF));
    } else {
        f.push_back(127);
        for (int i = 7; i >= 0; --i)
            f.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xFF));
    }
    f.append(payload);
    return f;
}

void write_to(Client& c, std::string_view data) {
    if (c.out.empty()) {
        const ssize_t n = ::send(c.fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n == static_cast<ssize_t>(data.size())) return;
        if (n > 0)
            data.remove_prefix(static_cast<size_t>(n));
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
            return;
    }
    c.out.append(data);
}

void flush(Client& c) {
    while (!c.out.empty()) {
        const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        c.out.erase(0, static_cast<size_t>(n));
    }
}

std::string_view json_string_after(std::string_view s, std::string_view key, size_t from = 0) {
    const size_t k = s.find(key, from);
    if (k == std::string_view::npos) return {};
    const size_t start = k + key.size();
    size_t end = start;
    while (end < s.size() && s[end] != '"') end += s[end] == '\\' ? 2 : 1;
    return s.substr(start, end - start);
}

void publish(std::string_view body) {
    size_t from = 0;
    for (;;) {
        const size_t at = body.find("\"channel\":\"", from);
        if (at == std::string_view::npos) return;
        const std::string_view channel = json_string_after(body, "\"channel\":\"", at);
        const std::string_view data = json_string_after(body, "\"data\":\"", at);
        from = at + 1;
        auto it = channels.find(std::string(channel));
        if (it == channels.end()) continue;
        const std::string frame =
            text_frame(R"({"event":"bench","channel":")" + std::string(channel) + R"(","data":")" +
                       std::string(data) + R"("})");
        for (int fd : it->second) write_to(clients[fd], frame);
    }
}

void on_ws_text(Client& c, std::string_view msg) {
    if (msg.find("pusher:subscribe") != std::string_view::npos) {
        const std::string channel(json_string_after(msg, "\"channel\":\""));
        channels[channel].push_back(c.fd);
        write_to(c, text_frame(R"({"event":"pusher_internal:subscription_succeeded","channel":")" +
                               channel + R"(","data":"{}"})"));
    } else if (msg.find("pusher:unsubscribe") != std::string_view::npos) {
        auto& v = channels[std::string(json_string_after(msg, "\"channel\":\""))];
        v.erase(std::remove(v.begin(), v.end(), c.fd), v.end());
    } else if (msg.find("pusher:ping") != std::string_view::npos) {
        write_to(c, text_frame(R"({"event":"pusher:pong","data":"{}"})"));
    }
}

void drop(int fd) {
    for (auto& [name, v] : channels) v.erase(std::remove(v.begin(), v.end(), fd), v.end());
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    clients.erase(fd);
}

// Returns false when the client must be dropped.
bool consume(Client& c) {
    for (;;) {
        if (!c.websocket) {
            const size_t end = c.in.find("\r\n\r\n");
            if (end == std::string::npos) return true;
            const std::string_view head(c.in.data(), end);
            if (head.find("Upgrade: websocket") != std::string_view::npos ||
                head.find("upgrade: websocket") != std::string_view::npos) {
                size_t k = head.find("Sec-WebSocket-Key: ");
                if (k == std::string_view::npos) k = head.find("sec-websocket-key: ");
                if (k == std::string_view::npos) return false;
                const size_t e = head.find("\r\n", k);
                const std::string key(head.substr(k + 19, e - k - 19));
                c.in.erase(0, end + 4);
                c.websocket = true;
                write_to(c,
                         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                         "Upgrade\r\n"
                         "Sec-WebSocket-Accept: " +
                             accept_key(key) + "\r\n\r\n");
                const std::string id =
                    std::to_string(++socket_counter) + "." + std::to_string(c.fd);
                write_to(
                    c, text_frame(
                           R"({"event":"pusher:connection_established","data":"{\"socket_id\":\")" +
                           id + R"(\",\"activity_timeout\":120}"})"));
                continue;
            }
            size_t length = 0;
            size_t cl = head.find("Content-Length: ");
            if (cl == std::string_view::npos) cl = head.find("content-length: ");
            if (cl != std::string_view::npos)
                length = std::strtoull(c.in.c_str() + cl + 16, nullptr, 10);
            if (c.in.size() < end + 4 + length) return true;
            const bool keep = head.find("Connection: close") == std::string_view::npos;
            publish(std::string_view(c.in).substr(end + 4, length));
            c.in.erase(0, end + 4 + length);
            write_to(
                c,
                std::string(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n") +
                    (keep ? "" : "Connection: close\r\n") + "\r\n{}");
            if (!keep) return false;
            continue;
        }
        if (c.in.size() < 2) return true;
        const auto* p = reinterpret_cast<const uint8_t*>(c.in.data());
        const uint8_t opcode = p[0] & 0x0F;
        uint64_t len = p[1] & 0x7F;
        size_t header = 2;
        if (len == 126) {
            if (c.in.size() < 4) return true;
            len = (static_cast<uint64_t>(p[2]) << 8) | p[3];
            header = 4;
        } else if (len == 127) {
            if (c.in.size() < 10) return true;
            len = 0;
            for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
            header = 10;
        }
        const bool masked = (p[1] & 0x80) != 0;
        if (masked) header += 4;
        if (c.in.size() < header + len) return true;
        std::string payload = c.in.substr(header, len);
        if (masked) {
            const uint8_t* mask = p + header - 4;
            for (size_t i = 0; i < payload.size(); ++i)
                payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
        }
        c.in.erase(0, header + len);
        if (opcode == 0x8) return false;
        if (opcode == 0x1) on_ws_text(c, payload);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const int port = argc > 1 ? std::atoi(argv[1]) : 6101;
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(listener, 4096) != 0) {
        std::perror("floor: listen");
        return 1;
    }
    ep = epoll_create1(0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener;
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    std::fprintf(stderr, "floor server on 127.0.0.1:%d\n", port);
    epoll_event events[512];
    char buf[65536];
    for (;;) {
        const int n = epoll_wait(ep, events, 512, -1);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (fd == listener) {
                for (;;) {
                    const int c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
                    if (c < 0) break;
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                    epoll_event cev{};
                    cev.events = EPOLLIN | EPOLLOUT | EPOLLET;
                    cev.data.fd = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                    clients[c].fd = c;
                }
                continue;
            }
            auto it = clients.find(fd);
            if (it == clients.end()) continue;
            Client& c = it->second;
            if (events[i].events & EPOLLOUT) flush(c);
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                bool alive = true;
                for (;;) {
                    const ssize_t r = ::recv(fd, buf, sizeof(buf), 0);
                    if (r > 0) {
                        c.in.append(buf, static_cast<size_t>(r));
                        continue;
                    }
                    if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) alive = false;
                    break;
                }
                if (alive) alive = consume(c);
                if (!alive) {
                    flush(c);
                    drop(fd);
                }
            }
        }
    }
}
