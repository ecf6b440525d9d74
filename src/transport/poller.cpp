#include "transport/poller.hpp"

#include <unistd.h>

#include <array>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <system_error>

namespace sockudo::transport {

namespace {
// Events taken per epoll_wait; more wait for the next turn of the loop, so timers and posted
// work interleave with a burst of readiness.
constexpr int kEventsPerTurn = 256;
// From this many ready descriptors in one turn, the next turn polls instead of waiting.
constexpr int kBusyTurn = 2;
// A full turn must be treated as busy: edge-triggered readiness left in the set is not
// signalled again.
static_assert(kBusyTurn <= kEventsPerTurn);
}  // namespace

Poller::Poller(boost::asio::io_context& io)
    : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)), descriptor_(io.get_executor()) {
    if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    descriptor_.assign(epoll_fd_);
}

Poller::~Poller() {
    boost::system::error_code ec;
    descriptor_.close(ec);  // closes epoll_fd_
}

void Poller::start() {
    wait();
}

bool Poller::add(int fd, PollTarget* target) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    event.data.ptr = target;
    return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0;
}

void Poller::remove(int fd) {
    epoll_event unused{};
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, &unused);
}

void Poller::wait() {
    descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [this](const boost::system::error_code& ec) {
                               if (!ec) dispatch();  // an error: the worker is shutting down
                           });
}

void Poller::dispatch() {
    std::array<epoll_event, kEventsPerTurn> events;
    const int n = ::epoll_wait(epoll_fd_, events.data(), kEventsPerTurn, 0);
    for (int i = 0; i < n; ++i) {
        const epoll_event& event = events[static_cast<size_t>(i)];
        static_cast<PollTarget*>(event.data.ptr)->on_poll(event.events);
    }
    if (n >= kBusyTurn) {
        // Several ready descriptors: the worker is busy and will most likely find more after
        // the work this turn queued. Looking again then costs one epoll_wait, where the asio
        // wait costs an epoll_ctl on every call (it re-arms the descriptor); that is kept for
        // a set that is going quiet.
        boost::asio::post(descriptor_.get_executor(), [this] { dispatch(); });
        return;
    }
    wait();
}

}  // namespace sockudo::transport
