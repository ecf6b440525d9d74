#pragma once
// The client address used as a rate-limiter key (operations.md §5.1). Forwarding headers are
// only believed when the operator says how many proxies sit in front (trust_hops > 0):
// otherwise any client could pick its own key.

#include <cstdint>
#include <string>
#include <string_view>

namespace sockudo::api {

std::string client_ip(std::string_view forwarded_for, std::string_view real_ip,
                      std::string_view peer_address, int64_t trust_hops);

}  // namespace sockudo::api
