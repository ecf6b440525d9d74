#include "apps/lookup_cache.hpp"

#include <gtest/gtest.h>

namespace sockudo::apps {
namespace {

using namespace std::chrono_literals;
using Cache = LookupCache<int, std::string>;
using Clock = Cache::Clock;

CacheLimits limits(std::chrono::milliseconds ttl = 1000ms) {
    CacheLimits l;
    l.ttl = ttl;
    l.negative_ttl = negative_ttl_for(ttl);
    l.max_negative = 3;
    l.max_pending_keys = 2;
    l.max_waiters_per_key = 2;
    return l;
}

TEST(LookupCache, PositiveEntriesAreFreshUntilTheTtlThenStale) {
    Cache cache(limits());
    const auto t0 = Clock::now();
    EXPECT_EQ(cache.get("k", t0).state, Cache::State::Miss);
    EXPECT_EQ(cache.get("k", t0).value, nullptr);
    cache.put("k", 7, t0);
    auto fresh = cache.get("k", t0 + 999ms);
    ASSERT_EQ(fresh.state, Cache::State::Fresh);
    EXPECT_EQ(*fresh.value, 7);
    auto stale = cache.get("k", t0 + 1000ms);
    EXPECT_EQ(stale.state, Cache::State::Miss) << "expired: ask the database again";
    ASSERT_NE(stale.value, nullptr) << "but the last value stays for outages";
    EXPECT_EQ(*stale.value, 7);
}

TEST(LookupCache, TtlZeroNeverExpires) {
    Cache cache(limits(0ms));
    const auto t0 = Clock::now();
    cache.put("k", 1, t0);
    EXPECT_EQ(cache.get("k", t0 + std::chrono::hours(24 * 365)).state, Cache::State::Fresh);
}

TEST(LookupCache, NegativeEntriesExpireSoonerAndAreReplacedByAnApp) {
    EXPECT_EQ(negative_ttl_for(300'000ms), 30'000ms);
    EXPECT_EQ(negative_ttl_for(1000ms), 1000ms);
    EXPECT_EQ(negative_ttl_for(0ms), 30'000ms);
    Cache cache(limits(60'000ms));
    const auto t0 = Clock::now();
    cache.put_absent("bad", t0);
    EXPECT_EQ(cache.get("bad", t0 + 29s).state, Cache::State::Absent);
    EXPECT_EQ(cache.get("bad", t0 + 30s).state, Cache::State::Miss);
    EXPECT_EQ(cache.get("bad", t0 + 30s).value, nullptr);
    EXPECT_EQ(cache.negative_count(), 1u);
    cache.put("bad", 5, t0 + 31s);
    EXPECT_EQ(cache.negative_count(), 0u);
    EXPECT_EQ(cache.get("bad", t0 + 31s).state, Cache::State::Fresh);
    cache.put_absent("bad", t0 + 32s);  // deleted in the database
    EXPECT_EQ(cache.negative_count(), 1u);
    EXPECT_EQ(cache.get("bad", t0 + 32s).state, Cache::State::Absent);
}

TEST(LookupCache, NegativeEntriesAreBounded) {
    Cache cache(limits(10'000ms));
    const auto t0 = Clock::now();
    cache.put("good", 1, t0);
    for (int i = 0; i < 100; ++i)
        cache.put_absent("bad" + std::to_string(i), t0 + std::chrono::milliseconds(i));
    EXPECT_LE(cache.negative_count(), 3u);
    EXPECT_LE(cache.size(), 4u);
    EXPECT_EQ(cache.get("good", t0).state, Cache::State::Fresh)
        << "apps are never evicted for unknown keys";
    EXPECT_EQ(cache.get("bad99", t0 + 100ms).state, Cache::State::Absent)
        << "the newest entry is kept";
}

TEST(LookupCache, ConcurrentMissesForOneKeyMakeOneQuery) {
    Cache cache(limits());
    EXPECT_EQ(cache.join("k", "first"), Cache::Join::Started);
    EXPECT_EQ(cache.join("k", "second"), Cache::Join::Joined);
    EXPECT_EQ(cache.join("k", "third"), Cache::Join::Full) << "waiters per key are bounded";
    EXPECT_EQ(cache.join("other", "a"), Cache::Join::Started);
    EXPECT_EQ(cache.join("third-key", "a"), Cache::Join::Full) << "keys in flight are bounded";
    EXPECT_EQ(cache.pending_count(), 2u);
    auto waiters = cache.finish("k");
    EXPECT_EQ(waiters, (std::vector<std::string>{"first", "second"}));
    EXPECT_TRUE(cache.finish("k").empty());
    EXPECT_EQ(cache.join("k", "again"), Cache::Join::Started)
        << "a finished key starts a new query";
}

}  // namespace
}  // namespace sockudo::apps
