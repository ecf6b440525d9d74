#include "webhooks/leave_debouncer.hpp"

#include <gtest/gtest.h>

using sockudo::webhooks::LeaveDebouncer;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

TEST(LeaveDebouncer, LeaveIsReleasedAfterTheDelay) {
    LeaveDebouncer<int> d(milliseconds(3000));
    const auto t0 = Clock::now();
    EXPECT_FALSE(d.leave("a", 1, t0).has_value());
    EXPECT_TRUE(d.take_due(t0 + milliseconds(2999)).empty());
    auto due = d.take_due(t0 + milliseconds(3000));
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0], 1);
    EXPECT_EQ(d.pending(), 0u);
}

TEST(LeaveDebouncer, ArrivalWithinTheWindowCancelsBothSides) {
    LeaveDebouncer<int> d(milliseconds(3000));
    const auto t0 = Clock::now();
    d.leave("a", 1, t0);
    EXPECT_FALSE(d.arrive("a")) << "the comeback must not be reported";
    EXPECT_TRUE(d.take_due(t0 + milliseconds(10000)).empty()) << "nor the leave";
}

TEST(LeaveDebouncer, ArrivalWithoutPendingLeaveIsReported) {
    LeaveDebouncer<int> d(milliseconds(3000));
    EXPECT_TRUE(d.arrive("a"));
}

TEST(LeaveDebouncer, ReArmedLeaveUsesTheNewWindowOnly) {
    LeaveDebouncer<int> d(milliseconds(1000));
    const auto t0 = Clock::now();
    d.leave("a", 1, t0);
    d.arrive("a");
    d.leave("a", 2, t0 + milliseconds(500));
    EXPECT_TRUE(d.take_due(t0 + milliseconds(1200)).empty());
    auto due = d.take_due(t0 + milliseconds(1500));
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0], 2);
}

TEST(LeaveDebouncer, KeysAreIndependent) {
    LeaveDebouncer<int> d(milliseconds(100));
    const auto t0 = Clock::now();
    d.leave("a", 1, t0);
    d.leave("b", 2, t0);
    d.arrive("a");
    auto due = d.take_due(t0 + milliseconds(100));
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0], 2);
}

TEST(LeaveDebouncer, ZeroDelayReportsImmediately) {
    LeaveDebouncer<int> d(milliseconds(0));
    auto now = d.leave("a", 7, Clock::now());
    ASSERT_TRUE(now.has_value());
    EXPECT_EQ(*now, 7);
    EXPECT_TRUE(d.arrive("a"));
}

TEST(LeaveDebouncer, TakeAllReleasesEverythingPending) {
    LeaveDebouncer<int> d(milliseconds(3000));
    const auto t0 = Clock::now();
    d.leave("a", 1, t0);
    d.leave("b", 2, t0);
    d.arrive("b");
    auto all = d.take_all();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0], 1);
    EXPECT_FALSE(d.next_due().has_value());
}
