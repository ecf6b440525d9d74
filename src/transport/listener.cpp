#include "transport/listener.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <cerrno>
#include <cstring>

#include "transport/worker.hpp"

namespace sockudo::transport {

namespace asio = boost::asio;
using asio::ip::tcp;

tcp::endpoint resolve_endpoint(const std::string& host, uint16_t port) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (!ec) return tcp::endpoint(address, port);
    asio::io_context io;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(host, std::to_string(port));
    return results.begin()->endpoint();
}

Listener::Listener(Worker& worker, const tcp::endpoint& endpoint, ConnectionHandler& handler,
                   const ConnectionLimits& limits, bool reuse_port, const TlsContext* tls)
    : worker_(worker),
      acceptor_(worker.io()),
      retry_timer_(worker.io()),
      handler_(handler),
      limits_(limits),
      tls_(tls) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    if (reuse_port) {
        int one = 1;
        if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) !=
            0) {
            throw boost::system::system_error(
                boost::system::error_code(errno, boost::system::system_category()), "SO_REUSEPORT");
        }
    }
    // Accepted sockets inherit TCP_NODELAY from the listener (Linux copies it at accept): one
    // call here instead of one per connection.
    acceptor_.set_option(tcp::no_delay(true));
    // Hand over a connection once its first bytes are in (every client here speaks first:
    // an HTTP request, an upgrade or a TLS hello), so the connection reads at once instead of
    // waiting for epoll. A client silent past this many seconds is accepted anyway.
    const int defer_seconds = 1;
    if (::setsockopt(acceptor_.native_handle(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_seconds,
                     sizeof(defer_seconds)) != 0) {
        spdlog::debug("TCP_DEFER_ACCEPT unavailable: {}", std::strerror(errno));
    }
    acceptor_.bind(endpoint);
    acceptor_.listen(4096);
    port_ = acceptor_.local_endpoint().port();
}

void Listener::start() {
    worker_.post([this] { accept(); });
}

void Listener::stop() {
    worker_.post([this] {
        stopped_ = true;
        boost::system::error_code ec;
        acceptor_.close(ec);
        retry_timer_.cancel();
    });
}

void Listener::accept() {
    if (stopped_) return;
    acceptor_.async_wait(tcp::acceptor::wait_read, [this](const boost::system::error_code& ec) {
        if (stopped_ || ec == asio::error::operation_aborted) return;
        accept_ready(ec ? Backlog::Failed : accept_batch());
    });
}

void Listener::accept_ready(Backlog backlog) {
    switch (backlog) {
        case Backlog::Drained:
            accept();
            return;
        case Backlog::More:
            // The listening socket will not signal what is still waiting: come back after the
            // work already queued.
            asio::post(acceptor_.get_executor(), [this] {
                if (!stopped_) accept_ready(accept_batch());
            });
            return;
        case Backlog::Failed:
            // Out of descriptors or memory: back off briefly instead of spinning.
            retry_timer_.expires_after(std::chrono::milliseconds(100));
            retry_timer_.async_wait([this](const boost::system::error_code& wait_ec) {
                if (!wait_ec) accept();
            });
            return;
    }
}

Listener::Backlog Listener::accept_batch() {
    // A bounded batch per turn, so one busy listener does not starve the connections.
    constexpr int kAcceptsPerTurn = 64;
    for (int i = 0; i < kAcceptsPerTurn; ++i) {
        const int fd =
            ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return Backlog::Drained;
            spdlog::warn("accept failed: {}", std::strerror(errno));
            return Backlog::Failed;
        }
        std::make_shared<Connection>(worker_, fd, handler_, limits_, tls_)->start();
    }
    return Backlog::More;
}

}  // namespace sockudo::transport
