#pragma once
// Per-app, per-worker counters behind the Prometheus metrics (operations.md §6.2).
//
// Each block is written only by its worker's thread, so an increment is a relaxed load and
// store (no locked instruction on the per-message path); the scraper sums the blocks of every
// worker with relaxed loads. Gauges such as "connected" are derived at scrape time from two
// monotonic counters, so they can never be observed negative.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "protocol/channel_name.hpp"

namespace sockudo::core {

class SingleWriterCounter {
public:
    void add(uint64_t n = 1) {
        value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    uint64_t get() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> value_{0};
};

// The channel_type label: public, private, presence, private_encrypted, cache.
enum class ChannelTypeLabel : uint8_t { Public, Private, Presence, PrivateEncrypted, Cache, Count };
const char* channel_type_label(ChannelTypeLabel type);
ChannelTypeLabel channel_type_of(const protocol::ChannelKind& kind);

// The error_type label of connection errors.
enum class ConnectionError : uint8_t {
    AppNotFound,
    AppDisabled,
    AppValidationFailed,
    OriginNotAllowed,
    OverQuota,
    OverCapacity,
    AuthenticationFailed,
    InvalidMessageFormat,
    MissingEventName,
    RateLimited,
    Count
};
const char* connection_error_label(ConnectionError error);

// recipient_count_bucket of the broadcast latency histogram (no observation for 0 recipients).
enum class RecipientBucket : uint8_t { Xs, Sm, Md, Lg, Xl, Count };
const char* recipient_bucket_label(RecipientBucket bucket);
RecipientBucket recipient_bucket(size_t recipients);

// Upper bounds in milliseconds of the global histogram bucket set (operations.md §6.1).
inline constexpr std::array<double, 13> kLatencyBucketsMs{0.5, 1,   2.5, 5,    10,   25,  50,
                                                          100, 250, 500, 1000, 2500, 5000};

struct LatencyHistogram {
    std::array<SingleWriterCounter, kLatencyBucketsMs.size() + 1> buckets;  // last: +Inf
    SingleWriterCounter count;
    SingleWriterCounter sum_ns;
    void observe_ns(uint64_t ns);
};

constexpr size_t kChannelTypes = static_cast<size_t>(ChannelTypeLabel::Count);
constexpr size_t kRecipientBuckets = static_cast<size_t>(RecipientBucket::Count);

struct alignas(64) TrafficCounters {
    SingleWriterCounter new_connections;
    SingleWriterCounter disconnections;
    SingleWriterCounter ws_bytes_received;
    SingleWriterCounter ws_bytes_sent;
    SingleWriterCounter ws_messages_received;
    SingleWriterCounter ws_messages_sent;
    SingleWriterCounter http_calls;
    SingleWriterCounter http_bytes_received;
    SingleWriterCounter http_bytes_sent;
    SingleWriterCounter client_events_rate_limited;
    std::array<SingleWriterCounter, static_cast<size_t>(ConnectionError::Count)> connection_errors;
    std::array<SingleWriterCounter, kChannelTypes> subscriptions;
    std::array<SingleWriterCounter, kChannelTypes> unsubscriptions;
    std::array<std::array<LatencyHistogram, kRecipientBuckets>, kChannelTypes> broadcast_latency;
};

}  // namespace sockudo::core
