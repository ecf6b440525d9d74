#include "core/traffic_counters.hpp"

#include <algorithm>

namespace sockudo::core {

const char* channel_type_label(ChannelTypeLabel type) {
    switch (type) {
        case ChannelTypeLabel::Public:
            return "public";
        case ChannelTypeLabel::Private:
            return "private";
        case ChannelTypeLabel::Presence:
            return "presence";
        case ChannelTypeLabel::PrivateEncrypted:
            return "private_encrypted";
        case ChannelTypeLabel::Cache:
            return "cache";
        case ChannelTypeLabel::Count:
            break;
    }
    return "public";
}

ChannelTypeLabel channel_type_of(const protocol::ChannelKind& kind) {
    if (kind.cache) return ChannelTypeLabel::Cache;
    switch (kind.type) {
        case protocol::ChannelType::Private:
            return ChannelTypeLabel::Private;
        case protocol::ChannelType::Presence:
            return ChannelTypeLabel::Presence;
        case protocol::ChannelType::Encrypted:
            return ChannelTypeLabel::PrivateEncrypted;
        default:
            return ChannelTypeLabel::Public;
    }
}

const char* connection_error_label(ConnectionError error) {
    switch (error) {
        case ConnectionError::AppNotFound:
            return "app_not_found";
        case ConnectionError::AppDisabled:
            return "app_disabled";
        case ConnectionError::AppValidationFailed:
            return "app_validation_failed";
        case ConnectionError::OriginNotAllowed:
            return "origin_not_allowed";
        case ConnectionError::OverQuota:
            return "over_quota";
        case ConnectionError::OverCapacity:
            return "over_capacity";
        case ConnectionError::AuthenticationFailed:
            return "authentication_failed";
        case ConnectionError::InvalidMessageFormat:
            return "invalid_message_format";
        case ConnectionError::MissingEventName:
            return "missing_event_name";
        case ConnectionError::RateLimited:
            return "rate_limited";
        case ConnectionError::Count:
            break;
    }
    return "unknown";
}

const char* recipient_bucket_label(RecipientBucket bucket) {
    static constexpr const char* kNames[] = {"xs", "sm", "md", "lg", "xl"};
    return kNames[static_cast<size_t>(bucket)];
}

RecipientBucket recipient_bucket(size_t recipients) {
    if (recipients <= 10) return RecipientBucket::Xs;
    if (recipients <= 100) return RecipientBucket::Sm;
    if (recipients <= 1000) return RecipientBucket::Md;
    if (recipients <= 10000) return RecipientBucket::Lg;
    return RecipientBucket::Xl;
}

void LatencyHistogram::observe_ns(uint64_t ns) {
    const double ms = static_cast<double>(ns) / 1e6;
    const auto it = std::lower_bound(kLatencyBucketsMs.begin(), kLatencyBucketsMs.end(), ms);
    buckets[static_cast<size_t>(it - kLatencyBucketsMs.begin())].add();
    count.add();
    sum_ns.add(ns);
}

}  // namespace sockudo::core
