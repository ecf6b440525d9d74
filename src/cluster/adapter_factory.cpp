#include "cluster/adapter_factory.hpp"

#include <stdexcept>

#include "config/drivers.hpp"

#if __has_include("cluster/redis_transport.hpp")
#include "cluster/redis_transport.hpp"
#define SOCKUDO_HAS_REDIS_TRANSPORT 1
#endif
#if __has_include("cluster/nats_transport.hpp")
#include "cluster/nats_transport.hpp"
#define SOCKUDO_HAS_NATS_TRANSPORT 1
#endif

namespace sockudo::cluster {

TransportPtr make_transport(const config::Options& options) {
    switch (options.adapter.driver) {
        case config::AdapterDriver::Local:
            return nullptr;
        case config::AdapterDriver::Redis:
#ifdef SOCKUDO_HAS_REDIS_TRANSPORT
            return make_redis_transport(options);
#else
            break;
#endif
        case config::AdapterDriver::Nats:
#ifdef SOCKUDO_HAS_NATS_TRANSPORT
            return make_nats_transport(options);
#else
            break;
#endif
        case config::AdapterDriver::RedisCluster:
            break;
    }
    throw std::runtime_error(std::string("adapter driver \"") + config::driver_name(options.adapter.driver) +
                             "\" is not available in this build");
}

}  // namespace sockudo::cluster
