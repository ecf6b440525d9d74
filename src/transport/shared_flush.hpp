#pragma once
// A large flush batch whose writes idle peer workers may take over, a chunk at a time. The
// connections stay their owner's: while the batch is open the owner works only on the chunks
// it claims itself, and close() does not return before every lent chunk is back. So a lent
// connection is touched by one thread at a time, and the mutex orders the hand-over both ways.
//
// Why: a fanout's writes are split by connection owner, and on a machine where the clients
// (or anything else) share a core with one worker, that worker finishes long after the other.
// Lending evens that out instead of leaving a core idle while the publish's tail waits.

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace sockudo::transport {

class Connection;

class SharedFlush {
public:
    using Batch = std::vector<std::shared_ptr<Connection>>;
    struct Chunk {
        const Batch* batch;
        size_t begin;
        size_t end;
    };

    explicit SharedFlush(size_t chunk_size) : chunk_size_(chunk_size) {}

    // Owner: offers `batch`, which must stay alive and unchanged until close() returns.
    void open(const Batch& batch);
    // Owner: the next chunk nobody has taken yet; nullopt once all are handed out.
    std::optional<Chunk> claim_own();
    // A peer: the next chunk to write for the owner; nullopt when there is none.
    std::optional<Chunk> claim_lent();
    // A peer: the chunk from claim_lent() is written.
    void give_back(const Chunk& chunk);
    // Owner: stops lending, waits until every lent chunk is given back and returns them, so
    // the owner can finish what the writes left to do (wait for room, tear down, close).
    std::vector<Chunk> close();

private:
    std::optional<Chunk> claim_locked();

    const size_t chunk_size_;
    std::mutex mutex_;
    std::condition_variable returned_;
    const Batch* batch_ = nullptr;  // null: nothing offered
    size_t next_ = 0;
    size_t out_ = 0;  // lent chunks not given back yet
    std::vector<Chunk> lent_;
};

}  // namespace sockudo::transport
