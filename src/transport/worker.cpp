#include "transport/worker.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <cstring>
#include <string>

#include "transport/connection.hpp"

namespace sockudo::transport {

namespace {
constexpr size_t kScratchBytes = 64 * 1024;
// A write to a loopback or LAN socket costs a few microseconds of kernel time, so a batch this
// large is worth a cross-thread wake-up (~10 µs); smaller ones are written at once.
constexpr size_t kShareFromConnections = 256;
// Small enough that the last chunk does not leave a core idle for long (~0.2 ms of writes),
// large enough that claiming (one uncontended lock) is noise.
constexpr size_t kShareChunk = 32;
// Below this many sockets a batch saves too few system calls to be worth preparing.
constexpr size_t kBatchFromConnections = 4;
// Buffers per socket in a batched write: a fanout queues one frame per socket; what does not
// fit goes out with the connection's own flush.
constexpr size_t kBatchIov = 8;

void pin_thread(const std::string& name, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (const int err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set); err != 0) {
        spdlog::warn("{}: cannot pin to CPU {}: {}", name, cpu, std::strerror(err));
    }
}

}  // namespace

Worker::Worker(unsigned index, bool batched_writes)
    : index_(index),
      scratch_(kScratchBytes),
      shared_flush_(kShareChunk),
      sends_(batched_writes),
      started_(std::chrono::steady_clock::now()) {
    if (sends_.available()) {
        batch_iov_.resize(SendBatch::kCapacity * kBatchIov);
        batch_sends_.resize(SendBatch::kCapacity);
        batch_targets_.resize(SendBatch::kCapacity);
        batch_results_.resize(SendBatch::kCapacity);
    }
}

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
        // Named so that top -H, perf and taskset can tell the workers apart.
        const std::string name = "worker-" + std::to_string(index_);
        pthread_setname_np(pthread_self(), name.c_str());
        if (cpu_ >= 0) pin_thread(name, cpu_);
        auto guard = boost::asio::make_work_guard(io_);
        io_.run();
    });
}

void Worker::stop() {
    io_.stop();
}

void Worker::join() {
    if (thread_.joinable()) thread_.join();
}

bool Worker::on_this_thread() const {
    return std::this_thread::get_id() == thread_id_;
}

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
    if (peers_.size() > 1 && batch.size() >= kShareFromConnections) {
        flush_shared(batch);
        return;
    }
    write_batched(batch.data(), batch.size());
    for (auto& connection : batch) connection->flush();
}

bool Worker::write_batched(const std::shared_ptr<Connection>* connections, size_t count) {
    if (count < kBatchFromConnections || !sends_.available()) return false;
    while (count > 0) {
        size_t writes = 0;
        size_t taken = 0;
        for (; taken < count && writes < SendBatch::kCapacity; ++taken) {
            Connection* connection = connections[taken].get();
            iovec* iov = &batch_iov_[writes * kBatchIov];
            const size_t buffers = connection->batch_buffers(iov, kBatchIov);
            if (buffers == 0) continue;
            batch_sends_[writes] = {connection->fd_, iov, static_cast<unsigned>(buffers)};
            batch_targets_[writes] = connection;
            ++writes;
        }
        if (writes > 0) {
            sends_.write(batch_sends_.data(), writes, batch_results_.data());
            for (size_t i = 0; i < writes; ++i) batch_targets_[i]->batch_written(batch_results_[i]);
        }
        connections += taken;
        count -= taken;
    }
    return true;
}

void Worker::flush_shared(const SharedFlush::Batch& batch) {
    shared_flush_.open(batch);
    for (Worker* peer : peers_) {
        if (peer != this) peer->post([peer] { peer->on_help_wanted(); });
    }
    while (auto chunk = shared_flush_.claim_own()) {
        write_batched(&batch[chunk->begin], chunk->end - chunk->begin);
        for (size_t i = chunk->begin; i < chunk->end; ++i) batch[i]->flush();
    }
    // Ours are all taken; a peer with a batch of its own may still have some on offer.
    help_peers();
    // What a peer wrote may still need this thread: a full socket, an error, a pending close.
    for (const SharedFlush::Chunk& chunk : shared_flush_.close()) {
        for (size_t i = chunk.begin; i < chunk.end; ++i) batch[i]->flush();
    }
}

void Worker::on_help_wanted() {
    // The same publish usually reaches this worker too: its own writes come first, and the
    // batch they make helps whoever is left.
    if (!dirty_.empty()) flush_dirty();
    help_peers();
}

void Worker::help_peers() {
    for (Worker* peer : peers_) {
        if (peer == this) continue;
        while (auto chunk = peer->shared_flush_.claim_lent()) {
            const auto& lent = *chunk->batch;
            if (!write_batched(&lent[chunk->begin], chunk->end - chunk->begin)) {
                for (size_t i = chunk->begin; i < chunk->end; ++i) lent[i]->write_lent();
            }
            peer->shared_flush_.give_back(*chunk);
        }
    }
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
