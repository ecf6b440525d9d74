// The registry in front of a database store: answers from the cache on the caller's thread,
// misses answered on the caller's worker, one runtime per app across refreshes, stale records
// while the database is down. The store is an in-process fake; the worker is a real event loop.
#include "core/app_registry.hpp"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <mutex>

#include "transport/worker.hpp"

using namespace sockudo;
using namespace std::chrono_literals;

namespace {

struct FakeTable {
    std::mutex mutex;
    std::map<std::string, config::App> by_key;
    bool up = true;
};

class FakeStore final : public apps::AppStore {
public:
    explicit FakeStore(FakeTable& t) : t_(t) {}
    void migrate() override {}
    std::optional<config::App> find_by_key(const std::string& key) override {
        std::lock_guard lock(t_.mutex);
        if (!t_.up) throw apps::StoreError("down");
        auto it = t_.by_key.find(key);
        if (it == t_.by_key.end()) return std::nullopt;
        return it->second;
    }
    std::optional<config::App> find_by_id(const std::string& id) override {
        std::lock_guard lock(t_.mutex);
        if (!t_.up) throw apps::StoreError("down");
        for (const auto& [k, app] : t_.by_key) {
            if (app.id == id) return app;
        }
        return std::nullopt;
    }
    std::vector<config::App> all() override { return {}; }
    void upsert(const config::App&) override {}
    void check_health() override {}

private:
    FakeTable& t_;
};

config::App app(const std::string& id, int64_t max_connections = 0) {
    config::App a;
    a.id = id;
    a.key = id + "-key";
    a.secret = "s";
    a.limits.max_connections = max_connections;
    return a;
}

class AppRegistryTest : public ::testing::Test {
protected:
    void SetUp() override {
        worker_.start();
        options_.app_manager_cache_ttl_s = 1;
        apps::PoolSettings settings;
        settings.initial_backoff = 10'000ms;  // stays "down" for the whole test once it fails
        settings.probe_interval = 60'000ms;
        auto pool = std::make_unique<apps::StorePool>(
            [this] { return std::make_unique<FakeStore>(table_); }, 1, settings);
        registry_ = std::make_unique<core::AppRegistry>(options_, 1, std::move(pool),
                                                        std::vector<config::App>{});
    }
    void TearDown() override {
        registry_->stop();
        worker_.stop();
        worker_.join();
    }

    struct Answer {
        core::AppPtr app;
        core::LookupStatus status;
        bool on_worker;
        bool synchronous;
    };
    Answer lookup_key(const std::string& key) {
        auto promise = std::make_shared<std::promise<Answer>>();
        auto future = promise->get_future();
        auto returned = std::make_shared<std::atomic<bool>>(false);
        registry_->find_by_key(
            key, worker_, [this, promise, returned](core::AppPtr a, core::LookupStatus s) {
                promise->set_value(
                    Answer{std::move(a), s, worker_.on_this_thread(), !returned->load()});
            });
        returned->store(true);
        EXPECT_EQ(future.wait_for(5s), std::future_status::ready);
        return future.get();
    }

    FakeTable table_;
    config::Options options_;
    transport::Worker worker_{0};
    std::unique_ptr<core::AppRegistry> registry_;
};

TEST_F(AppRegistryTest, AMissIsAnsweredOnTheWorkerAndAHitAtOnce) {
    table_.by_key["a-key"] = app("a");
    Answer miss = lookup_key("a-key");
    ASSERT_EQ(miss.status, core::LookupStatus::Found);
    EXPECT_TRUE(miss.on_worker);
    EXPECT_FALSE(miss.synchronous);
    Answer hit = lookup_key("a-key");
    EXPECT_TRUE(hit.synchronous) << "a fresh entry answers before find_by_key returns";
    EXPECT_EQ(hit.app, miss.app);
    EXPECT_EQ(registry_->store_queries(), 1u);
    EXPECT_EQ(registry_->find_by_id("a"), miss.app) << "a key lookup also caches the id";
}

TEST_F(AppRegistryTest, FreshByIdOnlyAnswersWhatTheCacheHoldsFresh) {
    table_.by_key["a-key"] = app("a");
    EXPECT_EQ(registry_->find_fresh_by_id("a"), nullptr) << "never looked up";
    Answer found = lookup_key("a-key");
    ASSERT_EQ(found.status, core::LookupStatus::Found);
    EXPECT_EQ(registry_->find_fresh_by_id("a"), found.app);
    EXPECT_EQ(registry_->find_fresh_by_id("b"), nullptr);
    std::this_thread::sleep_for(1100ms);  // past the 1-s cache lifetime set up above
    EXPECT_EQ(registry_->find_fresh_by_id("a"), nullptr) << "stale: the store is asked again";
    EXPECT_EQ(registry_->find_by_id("a"), found.app) << "still known";
}

TEST_F(AppRegistryTest, UnknownKeysAreCachedAsUnknown) {
    EXPECT_EQ(lookup_key("nope").status, core::LookupStatus::NotFound);
    Answer again = lookup_key("nope");
    EXPECT_EQ(again.status, core::LookupStatus::NotFound);
    EXPECT_TRUE(again.synchronous);
    EXPECT_EQ(registry_->store_queries(), 1u);
}

TEST_F(AppRegistryTest, ARefreshedRecordUpdatesTheSameRuntime) {
    table_.by_key["a-key"] = app("a", 5);
    core::AppPtr first = lookup_key("a-key").app;
    first->connections.store(3);
    {
        std::lock_guard lock(table_.mutex);
        table_.by_key["a-key"] = app("a", 1);
    }
    std::this_thread::sleep_for(1100ms);  // the 1 s TTL
    core::AppPtr second = lookup_key("a-key").app;
    EXPECT_EQ(second, first) << "live state (channels, counts) stays with the app";
    EXPECT_EQ(second->app().limits.max_connections, 1);
    EXPECT_EQ(second->connections.load(), 3);
}

TEST_F(AppRegistryTest, ADownDatabaseKeepsKnownAppsAndRefusesUnknownOnes) {
    table_.by_key["a-key"] = app("a");
    core::AppPtr known = lookup_key("a-key").app;
    {
        std::lock_guard lock(table_.mutex);
        table_.up = false;
    }
    std::this_thread::sleep_for(1100ms);
    Answer stale = lookup_key("a-key");
    EXPECT_EQ(stale.status, core::LookupStatus::Found);
    EXPECT_EQ(stale.app, known);
    EXPECT_FALSE(registry_->store_healthy());
    Answer unknown = lookup_key("b-key");
    EXPECT_EQ(unknown.status, core::LookupStatus::NotFound);
    EXPECT_EQ(unknown.app, nullptr);
}

}  // namespace
