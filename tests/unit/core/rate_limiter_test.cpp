#include "core/rate_limiter.hpp"

#include <gtest/gtest.h>

using sockudo::core::MemoryRateLimiter;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(MemoryRateLimiter, FixedWindowFromTheFirstRequest) {
    MemoryRateLimiter rl;
    const auto t0 = MemoryRateLimiter::Clock::now();
    for (int i = 1; i <= 3; ++i) {
        auto d = rl.check_at("api:1.2.3.4", 3, seconds(60), t0 + milliseconds(i));
        EXPECT_TRUE(d.allowed) << i;
        EXPECT_EQ(d.remaining, 3 - i);
        EXPECT_EQ(d.limit, 3);
    }
    auto over = rl.check_at("api:1.2.3.4", 3, seconds(60), t0 + seconds(10));
    EXPECT_FALSE(over.allowed);
    EXPECT_EQ(over.remaining, 0);
    EXPECT_EQ(over.reset_seconds, 51) << "50.001 s left, rounded up";
    auto next_window = rl.check_at("api:1.2.3.4", 3, seconds(60), t0 + seconds(61));
    EXPECT_TRUE(next_window.allowed);
    EXPECT_EQ(next_window.remaining, 2);
}

TEST(MemoryRateLimiter, KeysAreIndependent) {
    MemoryRateLimiter rl;
    const auto t0 = MemoryRateLimiter::Clock::now();
    EXPECT_TRUE(rl.check_at("a", 1, seconds(60), t0).allowed);
    EXPECT_FALSE(rl.check_at("a", 1, seconds(60), t0).allowed);
    EXPECT_TRUE(rl.check_at("b", 1, seconds(60), t0).allowed);
}

TEST(MemoryRateLimiter, RejectedRequestsStillCount) {
    MemoryRateLimiter rl;
    const auto t0 = MemoryRateLimiter::Clock::now();
    rl.check_at("k", 1, seconds(60), t0);
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(rl.check_at("k", 1, seconds(60), t0).allowed);
}

TEST(MemoryRateLimiter, ExpiredKeysAreSwept) {
    MemoryRateLimiter rl;
    const auto t0 = MemoryRateLimiter::Clock::now();
    for (int i = 0; i < 1000; ++i) rl.check_at("ip:" + std::to_string(i), 10, seconds(1), t0);
    EXPECT_EQ(rl.tracked_keys(), 1000u);
    // Touch every shard after the windows ended and the sweep interval passed.
    for (int i = 0; i < 200; ++i)
        rl.check_at("late:" + std::to_string(i), 10, seconds(1), t0 + seconds(20));
    EXPECT_EQ(rl.tracked_keys(), 200u);
}

TEST(MemoryRateLimiter, ZeroMeansUnlimited) {
    MemoryRateLimiter rl;
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(rl.check("k", 0, seconds(60)).allowed);
}
