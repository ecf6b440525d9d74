#pragma once
// Driver names with every documented alias (operations.md §1.2.1), case-insensitive. A name
// that Sockudo knows but this server does not implement, and a name nobody knows, are both
// fatal, with messages that say which.

#include <string>
#include <string_view>

#include "config/options.hpp"

namespace sockudo::config {

AdapterDriver parse_adapter_driver(std::string_view name, const std::string& key);
AppManagerDriver parse_app_manager_driver(std::string_view name, const std::string& key);
CacheDriver parse_cache_driver(std::string_view name, const std::string& key);
QueueDriver parse_queue_driver(std::string_view name, const std::string& key);
RateLimiterDriver parse_rate_limiter_driver(std::string_view name, const std::string& key);
void check_metrics_driver(std::string_view name, const std::string& key);

const char* driver_name(AdapterDriver d);
const char* driver_name(AppManagerDriver d);
const char* driver_name(CacheDriver d);
const char* driver_name(QueueDriver d);
const char* driver_name(RateLimiterDriver d);

}  // namespace sockudo::config
