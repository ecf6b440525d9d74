#pragma once
// A listening socket served by one worker. With SO_REUSEPORT every worker binds its own
// listener on the same address and the kernel spreads new connections across them.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <string>

#include "transport/connection.hpp"

namespace sockudo::transport {

class Worker;
class TlsContext;

class Listener {
public:
    // Throws boost::system::system_error when the address cannot be bound.
    Listener(Worker& worker, const boost::asio::ip::tcp::endpoint& endpoint,
             ConnectionHandler& handler, const ConnectionLimits& limits, bool reuse_port,
             const TlsContext* tls = nullptr);

    void start();
    void stop();  // closes the listening socket; existing connections are untouched
    uint16_t port() const { return port_; }

private:
    enum class Backlog { Drained, More, Failed };

    void accept();  // waits for the listening socket to become readable
    void accept_ready(Backlog backlog);
    Backlog accept_batch();  // accepts what is waiting, a bounded number at a time

    Worker& worker_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_timer_;
    ConnectionHandler& handler_;
    const ConnectionLimits& limits_;
    const TlsContext* tls_;
    uint16_t port_ = 0;
    bool stopped_ = false;
};

// Resolves `host` (an IP literal or a name) to a TCP endpoint.
boost::asio::ip::tcp::endpoint resolve_endpoint(const std::string& host, uint16_t port);

}  // namespace sockudo::transport
