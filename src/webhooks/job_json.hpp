#pragma once
// A webhook job as stored in a shared queue: the app is named by id only, never by its secret
// (operations.md §4.2 [R]); the consumer looks the app up when it sends.

#include <optional>
#include <string>
#include <string_view>

#include "webhooks/job_queue.hpp"

namespace sockudo::webhooks {

struct StoredJob {
    std::string app_id;
    int64_t time_ms = 0;
    std::vector<WebhookEvent> events;
};

// {"v":1,"app_id":…,"time_ms":…,"events":[{"name":…,"channel":…,…}]}
std::string job_to_json(const WebhookJob& job);
// Nullopt when the text is not a job this server wrote.
std::optional<StoredJob> job_from_json(std::string_view text);

}  // namespace sockudo::webhooks
