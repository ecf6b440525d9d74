#pragma once
// A worker's own epoll set for its connections, driven by the worker's io_context through one
// readiness wait on the epoll descriptor. Connections are registered once, edge-triggered, for
// input and output, so an idle connection costs one epoll entry and nothing in user space: no
// pending asio operation and no reactor state per socket.

#include <sys/epoll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>

namespace sockudo::transport {

// Implemented by whoever registers a descriptor. `events` are epoll event bits.
class PollTarget {
public:
    virtual void on_poll(uint32_t events) = 0;

protected:
    ~PollTarget() = default;
};

class Poller {
public:
    explicit Poller(boost::asio::io_context& io);
    ~Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    // Starts waiting for readiness (call once, before the io_context runs).
    void start();
    // Edge-triggered input, output and peer hang-up. False when epoll refuses the descriptor.
    bool add(int fd, PollTarget* target);
    // Before the descriptor is closed; events already fetched for it are the caller's to ignore.
    void remove(int fd);

private:
    void wait();
    void dispatch();

    int epoll_fd_;
    boost::asio::posix::basic_stream_descriptor<boost::asio::io_context::executor_type> descriptor_;
};

}  // namespace sockudo::transport
