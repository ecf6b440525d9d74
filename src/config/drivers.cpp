#include "config/drivers.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <utility>

#include "config/load.hpp"

namespace sockudo::config {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

template <typename Driver>
Driver pick(std::string_view raw, const std::string& key,
            std::initializer_list<std::pair<const char*, Driver>> supported,
            std::initializer_list<const char*> known_elsewhere, const char* valid_list) {
    const std::string name = lower(raw);
    for (const auto& [alias, driver] : supported) {
        if (name == alias) return driver;
    }
    for (const char* other : known_elsewhere) {
        if (name == other) {
            throw ConfigError(key + ": driver \"" + std::string(raw) +
                              "\" is not supported by this server (supported: " + valid_list + ")");
        }
    }
    throw ConfigError(key + ": unknown driver \"" + std::string(raw) +
                      "\" (supported: " + valid_list + ")");
}

}  // namespace

AdapterDriver parse_adapter_driver(std::string_view name, const std::string& key) {
    return pick<AdapterDriver>(name, key,
                               {{"local", AdapterDriver::Local},
                                {"redis", AdapterDriver::Redis},
                                {"redis-cluster", AdapterDriver::RedisCluster},
                                {"redis_cluster", AdapterDriver::RedisCluster},
                                {"nats", AdapterDriver::Nats}},
                               {"pulsar", "rabbitmq", "rabbit-mq", "google-pubsub", "gcp-pubsub",
                                "pubsub", "kafka", "iggy", "apache-iggy", "apache_iggy", "cluster"},
                               "local, redis, redis-cluster, nats");
}

AppManagerDriver parse_app_manager_driver(std::string_view name, const std::string& key) {
    return pick<AppManagerDriver>(name, key,
                                  {{"memory", AppManagerDriver::Memory},
                                   {"array", AppManagerDriver::Memory},
                                   {"sqlite", AppManagerDriver::Sqlite},
                                   {"mysql", AppManagerDriver::Mysql},
                                   {"mariadb", AppManagerDriver::Mysql},
                                   {"pgsql", AppManagerDriver::Postgres},
                                   {"postgres", AppManagerDriver::Postgres},
                                   {"postgresql", AppManagerDriver::Postgres}},
                                  {"dynamodb", "surreal", "surrealdb", "scylla", "scylladb"},
                                  "memory, sqlite, mysql, pgsql/postgres/postgresql");
}

CacheDriver parse_cache_driver(std::string_view name, const std::string& key) {
    return pick<CacheDriver>(name, key,
                             {{"memory", CacheDriver::Memory},
                              {"redis", CacheDriver::Redis},
                              {"redis-cluster", CacheDriver::RedisCluster},
                              {"redis_cluster", CacheDriver::RedisCluster},
                              {"none", CacheDriver::None}},
                             {}, "memory, redis, redis-cluster, none");
}

QueueDriver parse_queue_driver(std::string_view name, const std::string& key) {
    return pick<QueueDriver>(
        name, key,
        {{"memory", QueueDriver::Memory},
         {"redis", QueueDriver::Redis},
         {"redis-cluster", QueueDriver::RedisCluster},
         {"redis_cluster", QueueDriver::RedisCluster},
         {"none", QueueDriver::None}},
        {"nats", "pulsar", "rabbitmq", "rabbit-mq", "google-pubsub", "google_pubsub", "gcp-pubsub",
         "pubsub", "kafka", "iggy", "sqs", "sns"},
        "memory, redis, redis-cluster, none");
}

RateLimiterDriver parse_rate_limiter_driver(std::string_view name, const std::string& key) {
    return pick<RateLimiterDriver>(name, key,
                                   {{"memory", RateLimiterDriver::Memory},
                                    {"redis", RateLimiterDriver::Redis},
                                    {"redis-cluster", RateLimiterDriver::RedisCluster},
                                    {"redis_cluster", RateLimiterDriver::RedisCluster},
                                    {"none", RateLimiterDriver::None}},
                                   {}, "memory, redis, redis-cluster, none");
}

void check_metrics_driver(std::string_view name, const std::string& key) {
    if (lower(name) != "prometheus") {
        throw ConfigError(key + ": unknown driver \"" + std::string(name) +
                          "\" (supported: prometheus)");
    }
}

const char* driver_name(AdapterDriver d) {
    switch (d) {
        case AdapterDriver::Local:
            return "local";
        case AdapterDriver::Redis:
            return "redis";
        case AdapterDriver::RedisCluster:
            return "redis-cluster";
        case AdapterDriver::Nats:
            return "nats";
    }
    return "local";
}

const char* driver_name(AppManagerDriver d) {
    switch (d) {
        case AppManagerDriver::Memory:
            return "memory";
        case AppManagerDriver::Sqlite:
            return "sqlite";
        case AppManagerDriver::Postgres:
            return "pgsql";
        case AppManagerDriver::Mysql:
            return "mysql";
    }
    return "memory";
}

const char* driver_name(CacheDriver d) {
    switch (d) {
        case CacheDriver::Memory:
            return "memory";
        case CacheDriver::Redis:
            return "redis";
        case CacheDriver::RedisCluster:
            return "redis-cluster";
        case CacheDriver::None:
            return "none";
    }
    return "memory";
}

const char* driver_name(QueueDriver d) {
    switch (d) {
        case QueueDriver::Memory:
            return "memory";
        case QueueDriver::Redis:
            return "redis";
        case QueueDriver::RedisCluster:
            return "redis-cluster";
        case QueueDriver::None:
            return "none";
    }
    return "memory";
}

const char* driver_name(RateLimiterDriver d) {
    switch (d) {
        case RateLimiterDriver::Memory:
            return "memory";
        case RateLimiterDriver::Redis:
            return "redis";
        case RateLimiterDriver::RedisCluster:
            return "redis-cluster";
        case RateLimiterDriver::None:
            return "none";
    }
    return "memory";
}

}  // namespace sockudo::config
