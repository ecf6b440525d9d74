#include "transport/send_batch.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

namespace sockudo::transport {
namespace {

struct Pair {
    int ours = -1;
    int theirs = -1;
    Pair() {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0) {
            ours = fds[0];
            theirs = fds[1];
        }
    }
    ~Pair() {
        if (ours >= 0) ::close(ours);
        if (theirs >= 0) ::close(theirs);
    }
    std::string drain() const {
        std::string out;
        char buf[4096];
        for (;;) {
            ssize_t n = ::recv(theirs, buf, sizeof buf, MSG_DONTWAIT);
            if (n <= 0) return out;
            out.append(buf, static_cast<size_t>(n));
        }
    }
};

iovec buffer(const std::string& s) {
    return iovec{const_cast<char*>(s.data()), s.size()};
}

TEST(SendBatch, WritesEverySocketInOneCall) {
    SendBatch batch(true);
    if (!batch.available()) GTEST_SKIP() << "kernel without io_uring";
    std::vector<Pair> pairs(40);
    const std::string a = "first frame|", b = "second|", c = "third";
    std::vector<iovec> iov;
    iov.reserve(pairs.size() * 3);
    std::vector<SendBatch::Send> sends;
    for (size_t i = 0; i < pairs.size(); ++i) {
        ASSERT_GE(pairs[i].ours, 0);
        const size_t first = iov.size();
        iov.push_back(buffer(a));
        if (i % 2 == 1) {  // some with several buffers (sendmsg), some with one (send)
            iov.push_back(buffer(b));
            iov.push_back(buffer(c));
        }
        sends.push_back({pairs[i].ours, &iov[first], static_cast<unsigned>(iov.size() - first)});
    }
    std::vector<long> results(sends.size(), 0);
    batch.write(sends.data(), sends.size(), results.data());
    for (size_t i = 0; i < pairs.size(); ++i) {
        const std::string expected = i % 2 == 1 ? a + b + c : a;
        EXPECT_EQ(results[i], static_cast<long>(expected.size())) << i;
        EXPECT_EQ(pairs[i].drain(), expected) << i;
    }
}

TEST(SendBatch, FullSocketAnswersAgainInsteadOfWaiting) {
    SendBatch batch(true);
    if (!batch.available()) GTEST_SKIP() << "kernel without io_uring";
    Pair full, free;
    const std::string chunk(64 * 1024, 'x');
    while (::send(full.ours, chunk.data(), chunk.size(), MSG_DONTWAIT) > 0) {
    }
    const std::string frame = "hello";
    iovec iov[2] = {buffer(frame), buffer(frame)};
    SendBatch::Send sends[2] = {{full.ours, &iov[0], 1}, {free.ours, &iov[1], 1}};
    long results[2] = {0, 0};
    batch.write(sends, 2, results);
    EXPECT_EQ(results[0], -EAGAIN);
    EXPECT_EQ(results[1], 5);
    EXPECT_EQ(free.drain(), "hello");

    // The ring is usable again afterwards: nothing of the refused write is left behind.
    full.drain();
    batch.write(sends, 1, results);
    EXPECT_EQ(results[0], 5);
}

TEST(SendBatch, ClosedPeerIsAnErrorForThatSocketOnly) {
    SendBatch batch(true);
    if (!batch.available()) GTEST_SKIP() << "kernel without io_uring";
    Pair gone, alive;
    ::close(gone.theirs);
    gone.theirs = -1;
    const std::string frame = "data";
    iovec iov[2] = {buffer(frame), buffer(frame)};
    SendBatch::Send sends[2] = {{gone.ours, &iov[0], 1}, {alive.ours, &iov[1], 1}};
    long results[2] = {0, 0};
    batch.write(sends, 2, results);
    EXPECT_EQ(results[0], -EPIPE);  // MSG_NOSIGNAL: an error, not a signal
    EXPECT_EQ(results[1], 4);
    EXPECT_EQ(alive.drain(), "data");
}

TEST(SendBatch, WritesBeyondOneSubmissionAreLeftToTheCaller) {
    SendBatch batch(true);
    if (!batch.available()) GTEST_SKIP() << "kernel without io_uring";
    std::vector<Pair> pairs(SendBatch::kCapacity + 10);
    const std::string frame = "x";
    iovec iov = buffer(frame);
    std::vector<SendBatch::Send> sends;
    for (const Pair& p : pairs) {
        ASSERT_GE(p.ours, 0);
        sends.push_back({p.ours, &iov, 1});
    }
    std::vector<long> results(sends.size(), 0);
    batch.write(sends.data(), sends.size(), results.data());
    for (size_t i = 0; i < pairs.size(); ++i) {
        const bool in_batch = i < SendBatch::kCapacity;
        EXPECT_EQ(results[i], in_batch ? 1 : -EAGAIN) << i;
        EXPECT_EQ(pairs[i].drain(), in_batch ? "x" : "") << i;
    }
}

TEST(SendBatch, DisabledMeansUnavailable) {
    SendBatch batch(false);
    EXPECT_FALSE(batch.available());
}

}  // namespace
}  // namespace sockudo::transport
