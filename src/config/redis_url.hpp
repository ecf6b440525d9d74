#pragma once
// Where a Redis consumer (adapter pub/sub, webhook queue) connects (operations.md §1.4.13):
// REDIS_URL / a url_override if given, else a URL built from database.redis.*.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/options.hpp"

namespace sockudo::config {

struct RedisTarget {
    bool tls = false;  // rediss://
    std::string host = "127.0.0.1";
    uint16_t port = 6379;
    std::optional<std::string> username;  // AUTH username password (Redis 6 ACL)
    std::optional<std::string> password;
    int64_t db = 0;
};

// The override, or redis[s]://[user][:urlencoded-password]@host:port/db from database.redis.
std::string redis_url(const Options& options);

// Parses redis:// and rediss:// URLs. Returns nullopt and sets `error` when the URL is unusable.
std::optional<RedisTarget> parse_redis_url(std::string_view url, std::string& error);

}  // namespace sockudo::config
