#pragma once
// Chooses the transport for `adapter.driver` (operations.md §3.2).

#include "cluster/transport.hpp"
#include "config/options.hpp"

namespace sockudo::cluster {

// Null for the local adapter. Throws std::runtime_error when the driver cannot be built
// (bad URL, driver not compiled in); the caller applies fallback_to_local (§3.9).
TransportPtr make_transport(const config::Options& options);

}  // namespace sockudo::cluster
