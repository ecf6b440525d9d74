#pragma once
// One event loop thread. A worker owns the connections it accepted; their state is touched only
// on this thread, except that a large flush may lend its writes to idle peers while this thread
// waits for them (SharedFlush). Other threads reach a worker only through post().

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "transport/poller.hpp"
#include "transport/send_batch.hpp"
#include "transport/shared_flush.hpp"
#include "transport/timer_wheel.hpp"

namespace sockudo::transport {

class Connection;

class Worker {
public:
    // `batched_writes`: a flush to many sockets goes to the kernel in one system call where the
    // kernel offers io_uring (SendBatch); otherwise, or when false, one write per socket.
    explicit Worker(unsigned index, bool batched_writes = true);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    unsigned index() const { return index_; }
    // Before start(): the worker's thread runs only on `cpu`.
    void pin_to_cpu(int cpu) { cpu_ = cpu; }
    boost::asio::io_context& io() { return io_; }
    TimerWheel& wheel() { return wheel_; }
    Poller& poller() { return poller_; }

    // Runs `fn` on this worker's thread, after what is already queued there.
    template <typename Fn>
    void post(Fn&& fn) {
        boost::asio::post(io_, std::forward<Fn>(fn));
    }

    // The server's workers (this one included) that may take over writes of a large flush.
    // Set before start(); every peer must outlive the others' threads.
    void set_peers(std::vector<Worker*> peers) { peers_ = std::move(peers); }

    void start();
    void stop();  // ends the loop; pending handlers are dropped
    void join();
    bool on_this_thread() const;

    // Read buffer shared by every connection of this worker: an idle connection holds none.
    uint8_t* scratch() { return scratch_.data(); }
    size_t scratch_size() const { return scratch_.size(); }

    // Connections with queued output are flushed once per loop turn, so a burst of
    // publishes becomes one gathered write per socket.
    void schedule_flush(std::shared_ptr<Connection> connection);

    // Registry of live connections (for shutdown and counts), this thread only.
    void add_connection(Connection* connection);
    void remove_connection(Connection* connection);
    const std::vector<Connection*>& connections() const { return connections_; }
    size_t connection_count() const { return connections_.size(); }

    uint64_t now_ms() const;

private:
    void tick();
    void flush_dirty();
    // Writes `batch` with the help of idle peers.
    void flush_shared(const SharedFlush::Batch& batch);
    // A peer has a large batch on offer.
    void on_help_wanted();
    // Writes chunks that peers have on offer, until none is left.
    void help_peers();
    // Writes what each connection has queued, as far as its socket takes it, in batches of one
    // system call. False when it wrote nothing (batch too small, no io_uring): the caller
    // writes socket by socket. Either way each connection's flush() must follow.
    bool write_batched(const std::shared_ptr<Connection>* connections, size_t count);

    unsigned index_;
    int cpu_ = -1;
    boost::asio::io_context io_{1};
    Poller poller_{io_};
    boost::asio::steady_timer tick_timer_{io_};
    TimerWheel wheel_;
    std::thread thread_;
    std::thread::id thread_id_;
    std::vector<uint8_t> scratch_;
    std::vector<std::shared_ptr<Connection>> dirty_;
    bool flush_posted_ = false;
    std::vector<Worker*> peers_;
    SharedFlush shared_flush_;
    SendBatch sends_;
    std::vector<iovec> batch_iov_;
    std::vector<SendBatch::Send> batch_sends_;
    std::vector<Connection*> batch_targets_;
    std::vector<long> batch_results_;
    std::vector<Connection*> connections_;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace sockudo::transport
