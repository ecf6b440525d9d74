#include "cluster/leave_arbiter.hpp"

#include <gtest/gtest.h>

using namespace sockudo::cluster;
using namespace std::chrono_literals;

namespace {
const LeaveArbiter::TimePoint t0{};
}

TEST(LeaveArbiter, ConcurrentQuietLeavesAreAnnouncedByTheSmallestNode) {
    LeaveArbiter a, b;  // nodes "a" and "b" both kept the leave quiet
    a.kept_quiet("k", t0);
    b.kept_quiet("k", t0);
    EXPECT_TRUE(a.quiet_elsewhere("k", "b", true, "a"));
    EXPECT_FALSE(b.quiet_elsewhere("k", "a", true, "b"));
    EXPECT_EQ(a.size(), 0u);
    EXPECT_EQ(b.size(), 0u);
}

TEST(LeaveArbiter, NothingToDecideWhenThisNodeAnnouncedOrNeverLeft) {
    LeaveArbiter a;
    EXPECT_FALSE(a.quiet_elsewhere("k", "b", true, "a"));
    a.kept_quiet("k", t0);
    a.announced_elsewhere("k");  // the sequential case: the later leaver announced
    EXPECT_FALSE(a.quiet_elsewhere("k", "b", true, "a"));
}

TEST(LeaveArbiter, WaitsWhileAThirdNodeStillHoldsIt) {
    LeaveArbiter b;
    b.kept_quiet("k", t0);
    EXPECT_FALSE(b.quiet_elsewhere("k", "c", false, "b"));
    // "a" (smaller) also left quietly: it announces, not b.
    EXPECT_FALSE(b.quiet_elsewhere("k", "a", true, "b"));
    LeaveArbiter a;
    a.kept_quiet("k", t0);
    EXPECT_FALSE(a.quiet_elsewhere("k", "c", false, "a"));
    EXPECT_TRUE(a.quiet_elsewhere("k", "b", true, "a"));
}

TEST(LeaveArbiter, OldQuietLeavesExpire) {
    LeaveArbiter a;
    a.kept_quiet("k", t0);
    a.expire(t0 + 1s, 2s);
    EXPECT_EQ(a.size(), 1u);
    a.expire(t0 + 3s, 2s);
    EXPECT_EQ(a.size(), 0u);
}
