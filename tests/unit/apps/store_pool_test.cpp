#include "apps/store_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>

namespace sockudo::apps {
namespace {

using namespace std::chrono_literals;

// A store whose database can be switched off and that can hold a lookup until released.
struct FakeDatabase {
    std::atomic<bool> up{true};
    std::atomic<int> calls{0};
    std::mutex gate;  // held by the test to block lookups
};

class FakeStore final : public AppStore {
public:
    explicit FakeStore(FakeDatabase& db) : db_(db) {}
    void migrate() override {}
    std::optional<config::App> find_by_key(const std::string& key) override { return lookup(key); }
    std::optional<config::App> find_by_id(const std::string& id) override { return lookup(id); }
    std::vector<config::App> all() override { return {}; }
    void upsert(const config::App&) override {}
    void check_health() override {
        if (!db_.up) throw StoreError("down");
    }

private:
    std::optional<config::App> lookup(const std::string& value) {
        std::lock_guard hold(db_.gate);
        ++db_.calls;
        if (!db_.up) throw StoreError("connection refused");
        if (value != "known") return std::nullopt;
        config::App app;
        app.id = "known";
        app.key = "known";
        app.secret = "s";
        return app;
    }
    FakeDatabase& db_;
};

StoreAnswer ask(StorePool& pool, const std::string& value) {
    auto answer = std::make_shared<std::promise<StoreAnswer>>();
    auto future = answer->get_future();
    EXPECT_TRUE(pool.lookup(StorePool::Kind::Key, value,
                            [answer](StoreAnswer a) { answer->set_value(std::move(a)); }));
    EXPECT_EQ(future.wait_for(5s), std::future_status::ready);
    return future.get();
}

PoolSettings fast() {
    PoolSettings s;
    s.probe_interval = 20ms;
    s.initial_backoff = 50ms;
    s.max_backoff = 100ms;
    return s;
}

TEST(StorePool, AnswersLookupsOnItsOwnThreads) {
    FakeDatabase db;
    StorePool pool([&] { return std::make_unique<FakeStore>(db); }, 2, fast());
    StoreAnswer known = ask(pool, "known");
    EXPECT_TRUE(known.available);
    ASSERT_TRUE(known.app.has_value());
    EXPECT_EQ(known.app->id, "known");
    StoreAnswer unknown = ask(pool, "nope");
    EXPECT_TRUE(unknown.available);
    EXPECT_FALSE(unknown.app.has_value());
    EXPECT_EQ(pool.queries(), 2u);
    EXPECT_TRUE(pool.healthy());
}

TEST(StorePool, ADownDatabaseFailsFastDuringTheBackoffAndRecovers) {
    FakeDatabase db;
    PoolSettings s = fast();
    s.initial_backoff = 2000ms;  // long enough to observe the fast failures
    s.max_backoff = 2000ms;
    s.probe_interval = 10'000ms;
    StorePool pool([&] { return std::make_unique<FakeStore>(db); }, 1, s);
    db.up = false;
    EXPECT_FALSE(ask(pool, "known").available);
    EXPECT_FALSE(pool.healthy());
    EXPECT_EQ(pool.last_error(), "connection refused");
    const int calls = db.calls;
    for (int i = 0; i < 20; ++i) EXPECT_FALSE(ask(pool, "known").available);
    EXPECT_EQ(db.calls, calls) << "no database call while backing off";
    db.up = true;
    // The probe runs when the back-off ends and marks the store healthy again.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!pool.healthy() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(pool.healthy());
    EXPECT_TRUE(ask(pool, "known").available);
}

TEST(StorePool, TheProbeNoticesAnOutageWithoutTraffic) {
    FakeDatabase db;
    StorePool pool([&] { return std::make_unique<FakeStore>(db); }, 1, fast());
    db.up = false;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (pool.healthy() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(5ms);
    EXPECT_FALSE(pool.healthy());
}

TEST(StorePool, TheQueueIsBounded) {
    FakeDatabase db;
    PoolSettings s = fast();
    s.max_queue = 2;
    StorePool pool([&] { return std::make_unique<FakeStore>(db); }, 1, s);
    std::unique_lock hold(db.gate);
    std::atomic<int> answered{0};
    auto count = [&](StoreAnswer) { ++answered; };
    int accepted = 0;
    for (int i = 0; i < 10; ++i)
        accepted += pool.lookup(StorePool::Kind::Id, "known", count) ? 1 : 0;
    // One lookup may already be on the thread (blocked on the gate), two wait in the queue.
    EXPECT_GE(accepted, 2);
    EXPECT_LE(accepted, 3);
    hold.unlock();
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (answered < accepted && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(5ms);
    EXPECT_EQ(answered, accepted);
}

}  // namespace
}  // namespace sockudo::apps
