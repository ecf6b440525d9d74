#pragma once
// The Redis pub/sub transport (operations.md §3.2): a subscriber connection on the four channel
// names and a publisher connection with a bounded, pipelined outbound queue, both on the
// transport's own thread. Plain TCP or TLS (rediss://), AUTH and SELECT from the URL.

#include "cluster/transport.hpp"
#include "config/options.hpp"

namespace sockudo::cluster {

// Connects to REDIS_URL / the url_override if set, else to the URL built from database.redis.*.
// Throws config::ConfigError when that URL is unusable. Channel names use adapter.redis.prefix.
TransportPtr make_redis_transport(const config::Options& options);

}  // namespace sockudo::cluster
