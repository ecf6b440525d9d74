#include "transport/send_batch.hpp"

#include <liburing.h>
#include <sys/socket.h>

#include <cerrno>

namespace sockudo::transport {

namespace {
constexpr uint64_t kCancelTag = ~uint64_t{0};
constexpr int kSendFlags = MSG_NOSIGNAL | MSG_DONTWAIT;
// Room for a full batch and the cancellation that may follow it, even when the kernel left
// part of the batch in the submission queue.
constexpr unsigned kRingEntries = 2 * SendBatch::kCapacity;
}  // namespace

struct SendBatch::Ring {
    io_uring ring{};
    msghdr headers[kCapacity]{};
};

SendBatch::SendBatch(bool enabled) {
    if (!enabled) return;
    auto ring = std::make_unique<Ring>();
    if (io_uring_queue_init(kRingEntries, &ring->ring, 0) == 0) ring_ = std::move(ring);
}

SendBatch::~SendBatch() {
    if (ring_) io_uring_queue_exit(&ring_->ring);
}

void SendBatch::write(const Send* sends, size_t count, long* results) {
    if (!ring_) {  // lost after a refused submission: nothing written, callers write themselves
        for (size_t i = 0; i < count; ++i) results[i] = -EAGAIN;
        return;
    }
    io_uring* ring = &ring_->ring;
    size_t prepared = 0;
    for (; prepared < count && prepared < kCapacity; ++prepared) {
        io_uring_sqe* sqe = io_uring_get_sqe(ring);
        if (sqe == nullptr) break;
        const Send& send = sends[prepared];
        if (send.iov_count == 1) {
            io_uring_prep_send(sqe, send.fd, send.iov[0].iov_base, send.iov[0].iov_len, kSendFlags);
        } else {
            msghdr& header = ring_->headers[prepared];
            header = msghdr{};
            header.msg_iov = const_cast<iovec*>(send.iov);
            header.msg_iovlen = send.iov_count;
            io_uring_prep_sendmsg(sqe, send.fd, &header, kSendFlags);
        }
        io_uring_sqe_set_data64(sqe, prepared);
    }
    // Whatever is not written here (not queued, not taken by the kernel) reads as "no room":
    // the caller's own write does it.
    for (size_t i = 0; i < count; ++i) results[i] = -EAGAIN;

    int submitted = io_uring_submit(ring);
    if (submitted < 0) submitted = 0;

    // A non-blocking send completes during the submission. Should the kernel park one anyway
    // (waiting for room), it is cancelled rather than waited for: no client can hold us here.
    size_t outstanding = static_cast<size_t>(submitted);
    bool cancelled = false;
    while (outstanding > 0) {
        io_uring_cqe* cqe = nullptr;
        if (io_uring_peek_cqe(ring, &cqe) != 0 || cqe == nullptr) {
            if (!cancelled) {
                io_uring_sqe* sqe = io_uring_get_sqe(ring);
                if (sqe != nullptr) {
                    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
                    io_uring_sqe_set_data64(sqe, kCancelTag);
                    io_uring_submit(ring);
                }
                cancelled = true;
            }
            if (io_uring_wait_cqe(ring, &cqe) != 0 || cqe == nullptr) continue;
        }
        const uint64_t tag = io_uring_cqe_get_data64(cqe);
        if (tag != kCancelTag && tag < static_cast<uint64_t>(submitted)) {
            results[tag] = cqe->res == -ECANCELED ? -EAGAIN : cqe->res;
            --outstanding;
        }
        io_uring_cqe_seen(ring, cqe);
    }
    // Requests the kernel refused stay in the submission queue and would go out with the next
    // batch, after their bytes were written another way: start over with an empty ring.
    if (static_cast<size_t>(submitted) < prepared) {
        io_uring_queue_exit(ring);
        if (io_uring_queue_init(kRingEntries, ring, 0) != 0) ring_.reset();
    }
}

}  // namespace sockudo::transport
