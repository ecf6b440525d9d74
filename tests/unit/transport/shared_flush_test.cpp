#include "transport/shared_flush.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

using namespace sockudo::transport;

namespace {

// The chunks only carry indexes into the batch: null connections are enough here.
SharedFlush::Batch batch_of(size_t n) {
    return SharedFlush::Batch(n);
}

}  // namespace

TEST(SharedFlush, HandsOutEveryIndexOnceInChunks) {
    SharedFlush shared(32);
    const auto batch = batch_of(100);
    shared.open(batch);
    std::vector<int> seen(batch.size(), 0);
    auto own = shared.claim_own();
    ASSERT_TRUE(own);
    EXPECT_EQ(own->begin, 0u);
    EXPECT_EQ(own->end, 32u);
    auto lent = shared.claim_lent();
    ASSERT_TRUE(lent);
    EXPECT_EQ(lent->batch, &batch);
    EXPECT_EQ(lent->begin, 32u);
    for (size_t i = own->begin; i < own->end; ++i) ++seen[i];
    for (size_t i = lent->begin; i < lent->end; ++i) ++seen[i];
    while (auto chunk = shared.claim_own()) {
        EXPECT_LE(chunk->end, batch.size());
        for (size_t i = chunk->begin; i < chunk->end; ++i) ++seen[i];
    }
    EXPECT_FALSE(shared.claim_lent());
    shared.give_back(*lent);
    const auto returned = shared.close();
    ASSERT_EQ(returned.size(), 1u);
    EXPECT_EQ(returned[0].begin, 32u);
    EXPECT_EQ(returned[0].end, 64u);
    for (int count : seen) EXPECT_EQ(count, 1);
}

TEST(SharedFlush, NothingIsOnOfferBeforeOpenOrAfterClose) {
    SharedFlush shared(8);
    EXPECT_FALSE(shared.claim_lent());
    EXPECT_FALSE(shared.claim_own());
    const auto batch = batch_of(64);
    shared.open(batch);
    EXPECT_TRUE(shared.claim_own());
    EXPECT_TRUE(shared.close().empty());
    EXPECT_FALSE(shared.claim_lent());
}

TEST(SharedFlush, ReopeningStartsAFreshBatch) {
    SharedFlush shared(8);
    const auto first = batch_of(8);
    shared.open(first);
    auto lent = shared.claim_lent();
    ASSERT_TRUE(lent);
    shared.give_back(*lent);
    EXPECT_EQ(shared.close().size(), 1u);
    const auto second = batch_of(16);
    shared.open(second);
    auto again = shared.claim_lent();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->batch, &second);
    EXPECT_EQ(again->begin, 0u);
    shared.give_back(*again);
    const auto returned = shared.close();
    ASSERT_EQ(returned.size(), 1u);
    EXPECT_EQ(returned[0].batch, &second);
}

TEST(SharedFlush, CloseWaitsUntilEveryLentChunkIsBack) {
    SharedFlush shared(4);
    const auto batch = batch_of(8);
    shared.open(batch);
    auto lent = shared.claim_lent();
    ASSERT_TRUE(lent);
    auto closing = std::async(std::launch::async, [&] { return shared.close(); });
    // close() must still be waiting: nothing has been given back.
    EXPECT_EQ(closing.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
    shared.give_back(*lent);
    ASSERT_EQ(closing.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_EQ(closing.get().size(), 1u);
}

TEST(SharedFlush, OwnerAndHelpersCoverTheBatchExactlyOnce) {
    constexpr size_t kItems = 10'000;
    SharedFlush shared(16);
    const auto batch = batch_of(kItems);
    std::vector<std::atomic<int>> seen(kItems);
    shared.open(batch);
    std::atomic<bool> stop{false};
    std::vector<std::thread> helpers;
    for (int h = 0; h < 3; ++h) {
        helpers.emplace_back([&] {
            while (!stop.load()) {
                if (auto chunk = shared.claim_lent()) {
                    for (size_t i = chunk->begin; i < chunk->end; ++i) seen[i].fetch_add(1);
                    shared.give_back(*chunk);
                }
            }
        });
    }
    size_t own = 0;
    while (auto chunk = shared.claim_own()) {
        for (size_t i = chunk->begin; i < chunk->end; ++i) seen[i].fetch_add(1);
        own += chunk->end - chunk->begin;
    }
    size_t lent = 0;
    for (const auto& chunk : shared.close()) lent += chunk.end - chunk.begin;
    stop = true;
    for (auto& t : helpers) t.join();
    EXPECT_EQ(own + lent, kItems);
    for (size_t i = 0; i < kItems; ++i) ASSERT_EQ(seen[i].load(), 1) << i;
}
