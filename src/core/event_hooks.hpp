#pragma once
// Observers of the transitions the core detects exactly once (webhooks, metrics). Called from
// worker threads; implementations must be thread-safe and must not block.

#include <string>
#include <string_view>

#include "config/app.hpp"

namespace sockudo::core {

class EventHooks {
public:
    virtual ~EventHooks() = default;
    virtual void channel_occupied(const config::App&, std::string_view /*channel*/) {}
    virtual void channel_vacated(const config::App&, std::string_view /*channel*/) {}
    virtual void member_added(const config::App&, std::string_view /*channel*/,
                              std::string_view /*user_id*/) {}
    virtual void member_removed(const config::App&, std::string_view /*channel*/,
                                std::string_view /*user_id*/) {}
    virtual void client_event(const config::App&, std::string_view /*channel*/,
                              std::string_view /*event*/, std::string_view /*data*/,
                              std::string_view /*socket_id*/, const std::string* /*user_id*/) {}
    virtual void cache_miss(const config::App&, std::string_view /*channel*/) {}
    virtual void subscription_count(const config::App&, std::string_view /*channel*/,
                                    uint64_t /*count*/) {}
};

}  // namespace sockudo::core
