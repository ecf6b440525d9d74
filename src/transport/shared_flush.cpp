#include "transport/shared_flush.hpp"

#include <algorithm>

namespace sockudo::transport {

void SharedFlush::open(const Batch& batch) {
    std::lock_guard lock(mutex_);
    batch_ = &batch;
    next_ = 0;
    lent_.clear();
}

std::optional<SharedFlush::Chunk> SharedFlush::claim_locked() {
    if (batch_ == nullptr || next_ >= batch_->size()) return std::nullopt;
    Chunk chunk{batch_, next_, std::min(batch_->size(), next_ + chunk_size_)};
    next_ = chunk.end;
    return chunk;
}

std::optional<SharedFlush::Chunk> SharedFlush::claim_own() {
    std::lock_guard lock(mutex_);
    return claim_locked();
}

std::optional<SharedFlush::Chunk> SharedFlush::claim_lent() {
    std::lock_guard lock(mutex_);
    auto chunk = claim_locked();
    if (chunk) ++out_;
    return chunk;
}

void SharedFlush::give_back(const Chunk& chunk) {
    std::lock_guard lock(mutex_);
    lent_.push_back(chunk);
    if (--out_ == 0) returned_.notify_one();
}

std::vector<SharedFlush::Chunk> SharedFlush::close() {
    std::unique_lock lock(mutex_);
    batch_ = nullptr;
    returned_.wait(lock, [this] { return out_ == 0; });
    std::vector<Chunk> lent;
    lent.swap(lent_);
    return lent;
}

}  // namespace sockudo::transport
