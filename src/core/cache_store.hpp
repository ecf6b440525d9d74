#pragma once
// The last event published to each cache channel of one app (protocol-v1 §7.4), with expiry.
// Memory driver; the interface is what a shared (Redis) store will implement for clusters.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sockudo::core {

struct CachedEvent {
    std::string event;
    std::string data;
    int64_t ttl_remaining_s = 0;  // filled in by get()
};

class CacheStore {
public:
    using Clock = std::chrono::steady_clock;

    void put(std::string_view channel, CachedEvent event, std::chrono::seconds ttl);
    std::optional<CachedEvent> get(std::string_view channel);
    // cache_miss webhooks are de-duplicated per channel within `window`; true = raise one now.
    bool should_report_miss(std::string_view channel, std::chrono::seconds window);

private:
    struct Entry {
        CachedEvent event;
        Clock::time_point expires;
    };
    void purge_expired(Clock::time_point now);

    std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
    std::unordered_map<std::string, Clock::time_point> last_miss_;
    size_t writes_since_purge_ = 0;
};

}  // namespace sockudo::core
