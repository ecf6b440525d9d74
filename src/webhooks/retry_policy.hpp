#pragma once
// When a failed webhook delivery is tried again (operations.md §7.5).

#include <chrono>
#include <cstdint>
#include <optional>

namespace sockudo::webhooks {

enum class DeliveryOutcome { Delivered, Retryable, Permanent };

// `http_status` is 0 when no response arrived (connect error, timeout).
DeliveryOutcome classify_delivery(long http_status);

struct RetryPolicy {
    bool enabled = true;
    std::optional<int64_t> max_attempts;
    std::chrono::milliseconds max_elapsed{300000};
    std::chrono::milliseconds initial_backoff{1000};
    std::chrono::milliseconds max_backoff{60000};

    // The wait before the next attempt after `attempts_made` attempts spanning `elapsed`, or
    // nothing when the delivery is given up.
    std::optional<std::chrono::milliseconds> next_delay(int64_t attempts_made,
                                                        std::chrono::milliseconds elapsed) const;
};

}  // namespace sockudo::webhooks
