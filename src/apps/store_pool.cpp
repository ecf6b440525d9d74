#include "apps/store_pool.hpp"

#include <spdlog/spdlog.h>

#include "config/load.hpp"

namespace sockudo::apps {

StorePool::StorePool(StoreFactory factory, unsigned threads, PoolSettings settings)
    : factory_(std::move(factory)), settings_(settings) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i)
        threads_.emplace_back([this, i] { run(i); });
}

StorePool::~StorePool() {
    stop();
}

void StorePool::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && threads_.empty()) return;
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
    threads_.clear();
    std::lock_guard lock(mutex_);
    queue_.clear();
}

bool StorePool::lookup(Kind kind, std::string value, Done done) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= settings_.max_queue) return false;
        queue_.push_back(Job{kind, std::move(value), std::move(done)});
    }
    wake_.notify_one();
    return true;
}

std::string StorePool::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

void StorePool::run(unsigned index) {
    std::unique_ptr<AppStore> store = factory_();
    auto next_probe = Clock::now() + settings_.probe_interval;
    for (;;) {
        std::unique_lock lock(mutex_);
        // Only the first thread probes: one round trip per interval is enough to notice.
        auto ready = [&] { return stopping_ || !queue_.empty(); };
        if (index == 0) {
            wake_.wait_until(lock, healthy() ? next_probe : std::max(retry_at_, Clock::now()),
                             ready);
        } else {
            wake_.wait(lock, ready);
        }
        if (stopping_) return;
        if (queue_.empty()) {
            lock.unlock();
            probe(*store);
            next_probe = Clock::now() + settings_.probe_interval;
            continue;
        }
        Job job = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        execute(job, *store);
    }
}

bool StorePool::backing_off() {
    if (healthy()) return false;
    std::lock_guard lock(mutex_);
    return Clock::now() < retry_at_;
}

void StorePool::execute(Job& job, AppStore& store) {
    if (backing_off()) {
        job.done(StoreAnswer{});
        return;
    }
    StoreAnswer answer;
    try {
        queries_.fetch_add(1, std::memory_order_relaxed);
        answer.app =
            job.kind == Kind::Key ? store.find_by_key(job.value) : store.find_by_id(job.value);
        answer.available = true;
        mark_up();
    } catch (const StoreError& e) {
        mark_down(e.what());
    } catch (const config::ConfigError& e) {
        // The database answered, with a row this server cannot use: the app stays unknown.
        spdlog::error("app store: ignoring an unreadable record: {}", e.what());
        answer.available = true;
        mark_up();
    }
    job.done(std::move(answer));
}

void StorePool::probe(AppStore& store) {
    try {
        store.check_health();
        mark_up();
    } catch (const StoreError& e) {
        mark_down(e.what());
    }
}

void StorePool::mark_up() {
    if (healthy()) return;
    std::lock_guard lock(mutex_);
    if (healthy()) return;  // another thread got here first
    backoff_ = std::chrono::milliseconds(0);
    last_error_.clear();
    // Logged before /up can see the change, so whoever sees /up recover also finds the line.
    spdlog::info("app store: database reachable again");
    healthy_.store(true);
}

void StorePool::mark_down(const std::string& error) {
    {
        std::lock_guard lock(mutex_);
        backoff_ = backoff_.count() == 0 ? settings_.initial_backoff
                                         : std::min(backoff_ * 2, settings_.max_backoff);
        retry_at_ = Clock::now() + backoff_;
        last_error_ = error;
        if (healthy()) {
            // As in mark_up: the line is out before /up reports the outage.
            spdlog::error(
                "app store: database unavailable ({}); cached apps keep working, "
                "retrying with back-off up to {} ms",
                error, settings_.max_backoff.count());
            healthy_.store(false);
        }
    }
    wake_.notify_all();  // the probing thread re-reads retry_at_
}

}  // namespace sockudo::apps
