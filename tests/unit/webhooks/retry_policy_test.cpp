#include "webhooks/retry_policy.hpp"

#include <gtest/gtest.h>

using namespace sockudo::webhooks;
using std::chrono::milliseconds;

TEST(RetryPolicy, ClassifiesStatuses) {
    EXPECT_EQ(classify_delivery(200), DeliveryOutcome::Delivered);
    EXPECT_EQ(classify_delivery(204), DeliveryOutcome::Delivered);
    for (long s : {0L, 500L, 502L, 503L, 408L, 409L, 425L, 429L}) {
        EXPECT_EQ(classify_delivery(s), DeliveryOutcome::Retryable) << s;
    }
    for (long s : {301L, 400L, 401L, 403L, 404L, 410L}) {
        EXPECT_EQ(classify_delivery(s), DeliveryOutcome::Permanent) << s;
    }
}

TEST(RetryPolicy, BacksOffExponentiallyWithACap) {
    RetryPolicy p;
    EXPECT_EQ(p.next_delay(1, milliseconds(0)), milliseconds(1000));
    EXPECT_EQ(p.next_delay(2, milliseconds(1000)), milliseconds(2000));
    EXPECT_EQ(p.next_delay(3, milliseconds(3000)), milliseconds(4000));
    EXPECT_EQ(p.next_delay(7, milliseconds(63000)), milliseconds(60000));
    EXPECT_EQ(p.next_delay(60, milliseconds(100000)), milliseconds(60000));
}

TEST(RetryPolicy, GivesUpPastTheElapsedBudget) {
    RetryPolicy p;
    EXPECT_FALSE(p.next_delay(8, milliseconds(250000)).has_value());
    EXPECT_TRUE(p.next_delay(8, milliseconds(240000)).has_value());
}

TEST(RetryPolicy, HonoursMaxAttemptsAndDisabled) {
    RetryPolicy p;
    p.max_attempts = 3;
    EXPECT_TRUE(p.next_delay(2, milliseconds(0)).has_value());
    EXPECT_FALSE(p.next_delay(3, milliseconds(0)).has_value());
    p.enabled = false;
    EXPECT_FALSE(p.next_delay(1, milliseconds(0)).has_value());
}
