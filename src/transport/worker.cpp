#include "transport/worker.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include "transport/connection.hpp"

namespace sockudo::transport {

namespace {
constexpr size_t kScratchBytes = 64 * 1024;
}

Worker::Worker(unsigned index)
    : index_(index), scratch_(kScratchBytes), started_(std::chrono::steady_clock::now()) {}

Worker::~Worker() {
    stop();
    join();
    // Connections still registered when the loop stopped own themselves: let them go while
    // the wheel and the poller they point into still exist.
    std::vector<Connection*> open = connections_;
    for (Connection* connection : open) connection->abandon();
}

uint64_t Worker::now_ms() const {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - started_)
                                     .count());
}

void Worker::start() {
    poller_.start();
    tick();
    thread_ = std::thread([this] {
        thread_id_ = std::this_thread::get_id();
        auto guard = boost::asio::make_work_guard(io_);
        io_.run();
    });
}

void Worker::stop() { io_.stop(); }

void Worker::join() {
    if (thread_.joinable()) thread_.join();
}

bool Worker::on_this_thread() const { return std::this_thread::get_id() == thread_id_; }

void Worker::tick() {
    wheel_.advance(now_ms() / wheel_.tick_ms());
    tick_timer_.expires_after(std::chrono::milliseconds(wheel_.tick_ms()));
    tick_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) tick();
    });
}

void Worker::schedule_flush(std::shared_ptr<Connection> connection) {
    dirty_.push_back(std::move(connection));
    if (!flush_posted_) {
        flush_posted_ = true;
        boost::asio::post(io_, [this] { flush_dirty(); });
    }
}

void Worker::flush_dirty() {
    flush_posted_ = false;
    std::vector<std::shared_ptr<Connection>> batch;
    batch.swap(dirty_);
    for (auto& connection : batch) connection->flush();
}

void Worker::add_connection(Connection* connection) {
    connection->registry_slot_ = connections_.size();
    connections_.push_back(connection);
}

void Worker::remove_connection(Connection* connection) {
    size_t slot = connection->registry_slot_;
    if (slot >= connections_.size() || connections_[slot] != connection) return;
    connections_[slot] = connections_.back();
    connections_[slot]->registry_slot_ = slot;
    connections_.pop_back();
    connection->registry_slot_ = SIZE_MAX;
}

}  // namespace sockudo::transport
