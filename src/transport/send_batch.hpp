#pragma once
// Many socket writes handed to the kernel in one system call (io_uring). A fanout writes one
// small frame to each of thousands of sockets; on machines where entering the kernel is
// expensive (virtualised, page-table isolation) the per-write system call is a third of the
// cost of a delivery, and one submission for a whole batch removes most of it.
//
// Every write is non-blocking: the kernel either takes the bytes now or answers -EAGAIN, so a
// submission never waits on a client. A kernel (or sandbox) without io_uring leaves the batch
// unavailable and the caller writes socket by socket as before.

#include <sys/uio.h>

#include <cstddef>
#include <memory>

struct io_uring;

namespace sockudo::transport {

class SendBatch {
public:
    // Writes in one submission; callers split larger batches.
    static constexpr size_t kCapacity = 256;

    struct Send {
        int fd;
        const iovec* iov;
        unsigned iov_count;
    };

    // `enabled` false (configuration) or a kernel without io_uring: available() is false.
    explicit SendBatch(bool enabled);
    ~SendBatch();
    SendBatch(const SendBatch&) = delete;
    SendBatch& operator=(const SendBatch&) = delete;

    bool available() const { return ring_ != nullptr; }

    // Writes sends[0..count) and stores each outcome in results[i]: bytes written, or -errno.
    // At most the first kCapacity are written; the rest answer -EAGAIN, as does every write
    // once the ring is lost. Returns when every write has its outcome. Must only be called on
    // one thread at a time.
    void write(const Send* sends, size_t count, long* results);

private:
    struct Ring;
    std::unique_ptr<Ring> ring_;
};

}  // namespace sockudo::transport
