#pragma once
// The app lookup cache (operations.md §2.5): entries keyed by app key or app id, positive ones
// (the app) with the cache TTL and negative ones (no such app) with a shorter TTL, plus the
// bookkeeping for single-flight misses (concurrent lookups of one missing key wait for one
// query). Not thread-safe: the owner holds a lock around it.
//
// Expired positive entries are kept as "stale": when the database cannot be asked, a known
// app keeps working with its last record. Negative entries are bounded (an attacker chooses
// the keys); positive ones are as many as the apps that exist.

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sockudo::apps {

struct CacheLimits {
    std::chrono::milliseconds ttl{300'000};  // 0 = positive entries never expire (Sockudo)
    std::chrono::milliseconds negative_ttl{30'000};
    size_t max_negative = 10'000;
    size_t max_pending_keys = 1'024;     // distinct lookups in flight
    size_t max_waiters_per_key = 4'096;  // callers waiting on one lookup
};

// The negative TTL for a cache TTL: unknown keys are retried sooner than known apps expire,
// at most every 30 s, so an app created in the database shows up quickly.
inline std::chrono::milliseconds negative_ttl_for(std::chrono::milliseconds ttl) {
    constexpr std::chrono::milliseconds kMax{30'000};
    return ttl.count() == 0 ? kMax : std::min(ttl, kMax);
}

template <typename Value, typename Waiter>
class LookupCache {
public:
    using Clock = std::chrono::steady_clock;
    enum class State { Fresh, Absent, Miss };
    struct Probe {
        State state = State::Miss;
        const Value* value = nullptr;  // Fresh: the value; Miss: a stale value, if any
    };
    enum class Join { Started, Joined, Full };

    explicit LookupCache(CacheLimits limits) : limits_(limits) {}

    Probe get(const std::string& key, Clock::time_point now) const {
        auto it = entries_.find(key);
        if (it == entries_.end()) return {};
        const Entry& e = it->second;
        const bool fresh = !e.expires || now < *e.expires;
        if (e.value) return {fresh ? State::Fresh : State::Miss, &*e.value};
        return {fresh ? State::Absent : State::Miss, nullptr};
    }

    void put(const std::string& key, Value value, Clock::time_point now) {
        Entry& e = entries_[key];
        if (!e.value && e.expires) --negatives_;
        e.value = std::move(value);
        e.expires = limits_.ttl.count() == 0 ? std::nullopt : std::optional(now + limits_.ttl);
    }

    void put_absent(const std::string& key, Clock::time_point now) {
        auto it = entries_.find(key);
        if (it == entries_.end()) {
            if (negatives_ >= limits_.max_negative) evict_negatives(now);
            it = entries_.emplace(key, Entry{}).first;
            ++negatives_;
        } else if (it->second.value) {
            ++negatives_;  // the app was deleted
        }
        it->second.value.reset();
        it->second.expires = now + limits_.negative_ttl;
    }

    // Registers a caller waiting for `key`. Started: the caller must start the query and call
    // finish() when it is answered; Joined: a query is already running; Full: refused.
    Join join(const std::string& key, Waiter waiter) {
        auto it = pending_.find(key);
        if (it != pending_.end()) {
            if (it->second.size() >= limits_.max_waiters_per_key) return Join::Full;
            it->second.push_back(std::move(waiter));
            return Join::Joined;
        }
        if (pending_.size() >= limits_.max_pending_keys) return Join::Full;
        pending_[key].push_back(std::move(waiter));
        return Join::Started;
    }

    // The callers that waited for `key`; the key is no longer pending.
    std::vector<Waiter> finish(const std::string& key) {
        auto it = pending_.find(key);
        if (it == pending_.end()) return {};
        std::vector<Waiter> out = std::move(it->second);
        pending_.erase(it);
        return out;
    }

    size_t negative_count() const { return negatives_; }
    size_t pending_count() const { return pending_.size(); }
    size_t size() const { return entries_.size(); }

private:
    struct Entry {
        std::optional<Value> value;                // nullopt: a negative entry
        std::optional<Clock::time_point> expires;  // nullopt: never
    };

    // Drops expired negative entries; when every one is still live, drops them all: they only
    // save queries, and a bounded table matters more than a few repeated misses.
    void evict_negatives(Clock::time_point now) {
        for (int pass = 0; pass < 2 && negatives_ >= limits_.max_negative; ++pass) {
            for (auto it = entries_.begin(); it != entries_.end();) {
                const bool negative = !it->second.value;
                if (negative && (pass == 1 || now >= *it->second.expires)) {
                    it = entries_.erase(it);
                    --negatives_;
                } else {
                    ++it;
                }
            }
        }
    }

    CacheLimits limits_;
    std::unordered_map<std::string, Entry> entries_;
    std::unordered_map<std::string, std::vector<Waiter>> pending_;
    size_t negatives_ = 0;
};

}  // namespace sockudo::apps
