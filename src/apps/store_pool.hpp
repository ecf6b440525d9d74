#pragma once
// The database threads of an app store: each owns one store (one connection) and takes lookups
// from one bounded queue, so a slow or stopped database never blocks a worker. The pool tracks
// whether the database is reachable: after a failure, lookups are answered "unavailable" at
// once until the back-off has passed (a flood of connects does not hammer a dead database),
// and one thread probes it (also while healthy, so /up notices an outage without traffic).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "apps/app_store.hpp"

namespace sockudo::apps {

struct StoreAnswer {
    bool available = false;          // false: the database could not be asked
    std::optional<config::App> app;  // when available: the record, or nullopt if unknown
};

struct PoolSettings {
    size_t max_queue = 4096;
    std::chrono::milliseconds probe_interval{2000};
    std::chrono::milliseconds initial_backoff{250};
    std::chrono::milliseconds max_backoff{5000};
};

class StorePool {
public:
    enum class Kind { Key, Id };
    using Done = std::function<void(StoreAnswer)>;

    StorePool(StoreFactory factory, unsigned threads, PoolSettings settings = {});
    ~StorePool();
    StorePool(const StorePool&) = delete;
    StorePool& operator=(const StorePool&) = delete;

    // Queues a lookup; `done` runs later on a database thread. False (and `done` dropped) when
    // the queue is full.
    bool lookup(Kind kind, std::string value, Done done);
    // Joins the threads; queued lookups are dropped unanswered.
    void stop();

    bool healthy() const { return healthy_.load(std::memory_order_relaxed); }
    std::string last_error() const;
    // Lookups that reached the database (for tests and the stats endpoint).
    uint64_t queries() const { return queries_.load(std::memory_order_relaxed); }

private:
    struct Job {
        Kind kind;
        std::string value;
        Done done;
    };
    using Clock = std::chrono::steady_clock;

    void run(unsigned index);
    void execute(Job& job, AppStore& store);
    void probe(AppStore& store);
    bool backing_off();
    void mark_up();
    void mark_down(const std::string& error);

    StoreFactory factory_;
    PoolSettings settings_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
    std::atomic<bool> healthy_{true};
    std::atomic<uint64_t> queries_{0};
    // Guarded by mutex_.
    std::string last_error_;
    Clock::time_point retry_at_{};
    std::chrono::milliseconds backoff_{0};
};

}  // namespace sockudo::apps
