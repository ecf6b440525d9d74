#include "transport/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

using namespace sockudo::transport;

namespace {

struct Recorder : TimerTarget {
    std::vector<int> fired;
    std::function<void(int)> action;
    void on_timer(int kind) override {
        fired.push_back(kind);
        if (action) action(kind);
    }
};

}  // namespace

TEST(TimerWheel, FiresNoEarlierThanTheDelay) {
    TimerWheel wheel(100, 8);
    Recorder r;
    TimerNode node(&r, 1);
    wheel.arm(node, 250);  // rounds up to 3 ticks
    wheel.advance(2);
    EXPECT_TRUE(r.fired.empty());
    wheel.advance(3);
    EXPECT_EQ(r.fired, std::vector<int>{1});
    EXPECT_FALSE(node.armed());
}

TEST(TimerWheel, DeadlinesBeyondOneRevolutionWait) {
    TimerWheel wheel(10, 4);
    Recorder r;
    TimerNode node(&r, 7);
    wheel.arm(node, 100);  // 10 ticks on a 4-slot wheel
    wheel.advance(9);
    EXPECT_TRUE(r.fired.empty());
    wheel.advance(10);
    EXPECT_EQ(r.fired.size(), 1u);
}

TEST(TimerWheel, RearmMovesAndDisarmCancels) {
    TimerWheel wheel(10, 16);
    Recorder r;
    TimerNode a(&r, 1), b(&r, 2);
    wheel.arm(a, 10);
    wheel.arm(a, 50);  // moved
    wheel.arm(b, 20);
    b.disarm();
    EXPECT_EQ(wheel.armed_count(), 1u);
    wheel.advance(4);
    EXPECT_TRUE(r.fired.empty());
    wheel.advance(5);
    EXPECT_EQ(r.fired, std::vector<int>{1});
}

TEST(TimerWheel, CallbackMayDestroyAnotherDueNode) {
    TimerWheel wheel(10, 16);
    Recorder r;
    auto victim = std::make_unique<TimerNode>(&r, 2);
    TimerNode killer(&r, 1);
    wheel.arm(killer, 10);
    wheel.arm(*victim, 10);
    r.action = [&](int kind) {
        if (victim) victim.reset();  // whichever fires first removes the victim (or itself)
        (void)kind;
    };
    wheel.advance(1);
    EXPECT_EQ(r.fired.size(), 1u);
    EXPECT_EQ(wheel.armed_count(), 0u);
}

TEST(TimerWheel, CallbackMayRearmItself) {
    TimerWheel wheel(10, 16);
    Recorder r;
    TimerNode node(&r, 1);
    int rounds = 0;
    r.action = [&](int) {
        if (++rounds < 3) wheel.arm(node, 10);
    };
    wheel.arm(node, 10);
    wheel.advance(10);
    EXPECT_EQ(rounds, 3);
}

TEST(TimerWheel, DestroyedNodeLeavesTheWheel) {
    TimerWheel wheel(10, 16);
    Recorder r;
    {
        TimerNode node(&r, 1);
        wheel.arm(node, 10);
        EXPECT_EQ(wheel.armed_count(), 1u);
    }
    EXPECT_EQ(wheel.armed_count(), 0u);
    wheel.advance(5);
    EXPECT_TRUE(r.fired.empty());
}
