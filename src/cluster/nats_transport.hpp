#pragma once
// The NATS transport (operations.md §3.2) on libnats: subjects "P.broadcast", "P.requests",
// "P.responses", "P.node.{id}" with P = adapter.nats.prefix. libnats reconnects by itself
// (forever, 500 ms doubling to 10 s between rounds, a bounded reconnect buffer) and retries a
// failed first connect in the background. Its callbacks arrive on libnats' threads and are
// handed to the transport's one handler thread; publishes go through a bounded queue to one
// sender thread, so publish() never waits on a socket.

#include "cluster/transport.hpp"
#include "config/options.hpp"

namespace sockudo::cluster {

TransportPtr make_nats_transport(const config::Options& options);

}  // namespace sockudo::cluster
