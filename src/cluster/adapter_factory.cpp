#include "cluster/adapter_factory.hpp"

#include <stdexcept>
#include <string>

#include "cluster/nats_transport.hpp"
#include "cluster/redis_transport.hpp"
#include "config/drivers.hpp"

namespace sockudo::cluster {

TransportPtr make_transport(const config::Options& options) {
    switch (options.adapter.driver) {
        case config::AdapterDriver::Local:
            return nullptr;
        case config::AdapterDriver::Redis:
            return make_redis_transport(options);
        case config::AdapterDriver::Nats:
            return make_nats_transport(options);
        case config::AdapterDriver::RedisCluster:
            break;
    }
    throw std::runtime_error(std::string("adapter driver \"") +
                             config::driver_name(options.adapter.driver) +
                             "\" is not available in this build");
}

}  // namespace sockudo::cluster
