#include "webhooks/retry_policy.hpp"

#include <algorithm>

namespace sockudo::webhooks {

DeliveryOutcome classify_delivery(long http_status) {
    if (http_status >= 200 && http_status < 300) return DeliveryOutcome::Delivered;
    if (http_status == 0 || http_status >= 500) return DeliveryOutcome::Retryable;
    switch (http_status) {
        case 408:
        case 409:
        case 425:
        case 429:
            return DeliveryOutcome::Retryable;
        default:
            return DeliveryOutcome::Permanent;
    }
}

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(
    int64_t attempts_made, std::chrono::milliseconds elapsed) const {
    if (!enabled || attempts_made < 1) return std::nullopt;
    if (max_attempts && attempts_made >= *max_attempts) return std::nullopt;
    // initial * 2^(attempts-1), capped; the shift is bounded so it cannot overflow.
    const int shift = static_cast<int>(std::min<int64_t>(attempts_made - 1, 30));
    std::chrono::milliseconds delay = initial_backoff * (int64_t{1} << shift);
    delay = std::min(delay, max_backoff);
    if (elapsed + delay > max_elapsed) return std::nullopt;
    return delay;
}

}  // namespace sockudo::webhooks
