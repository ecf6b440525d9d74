// Driver names and their aliases (operations.md §1.2.1): case-insensitive everywhere, fatal when
// unknown, and a clear refusal for real Sockudo drivers this server does not have.
#include "config/drivers.hpp"

#include "config_test_support.hpp"

using namespace sockudo::config;
using namespace sockudo::config::test;
using ::testing::HasSubstr;

namespace {

std::string parse_error(void (*parse)(const std::string&), const std::string& name) {
    try {
        parse(name);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(ConfigDrivers, EveryDocumentedAliasIsAccepted) {
    for (const char* n : {"local", "LOCAL"})
        EXPECT_EQ(parse_adapter_driver(n, "k"), AdapterDriver::Local);
    EXPECT_EQ(parse_adapter_driver("redis", "k"), AdapterDriver::Redis);
    EXPECT_EQ(parse_adapter_driver("Redis-Cluster", "k"), AdapterDriver::RedisCluster);
    EXPECT_EQ(parse_adapter_driver("nats", "k"), AdapterDriver::Nats);
    EXPECT_EQ(parse_app_manager_driver("memory", "k"), AppManagerDriver::Memory);
    EXPECT_EQ(parse_app_manager_driver("mysql", "k"), AppManagerDriver::Mysql);
    for (const char* n : {"pgsql", "postgres", "postgresql", "PostgreSQL"}) {
        EXPECT_EQ(parse_app_manager_driver(n, "k"), AppManagerDriver::Postgres) << n;
    }
    for (const char* n : {"memory", "redis", "redis-cluster", "none"}) {
        EXPECT_NO_THROW(parse_cache_driver(n, "k")) << n;
        EXPECT_NO_THROW(parse_rate_limiter_driver(n, "k")) << n;
        EXPECT_NO_THROW(parse_queue_driver(n, "k")) << n;
    }
    EXPECT_EQ(parse_cache_driver("NONE", "k"), CacheDriver::None);
    EXPECT_NO_THROW(check_metrics_driver("Prometheus", "k"));
}

TEST(ConfigDrivers, SockudoDriversThisServerLacksAreRefusedByName) {
    const auto adapter = [](const std::string& n) { parse_adapter_driver(n, "ADAPTER_DRIVER"); };
    for (const char* n : {"pulsar", "rabbitmq", "rabbit-mq", "google-pubsub", "gcp-pubsub",
                          "pubsub", "kafka", "iggy", "apache-iggy", "apache_iggy"}) {
        const std::string err = parse_error(adapter, n);
        EXPECT_THAT(err, HasSubstr("ADAPTER_DRIVER")) << n;
        EXPECT_THAT(err, HasSubstr("\"" + std::string(n) + "\"")) << n;
        EXPECT_THAT(err, HasSubstr("not supported by this server")) << n;
    }
    const auto app_manager = [](const std::string& n) {
        parse_app_manager_driver(n, "app_manager.driver");
    };
    for (const char* n : {"dynamodb", "surreal", "surrealdb", "scylla", "scylladb"}) {
        EXPECT_THAT(parse_error(app_manager, n), HasSubstr("not supported by this server")) << n;
    }
    const auto queue = [](const std::string& n) { parse_queue_driver(n, "queue.driver"); };
    for (const char* n :
         {"nats", "pulsar", "rabbitmq", "google-pubsub", "kafka", "iggy", "sqs", "sns"}) {
        EXPECT_THAT(parse_error(queue, n), HasSubstr("not supported by this server")) << n;
    }
}

TEST(ConfigDrivers, UnknownNamesAreFatalWithKeyAndValue) {
    const std::string err = error_of(R"({"adapter": {"driver": "carrier-pigeon"}})");
    EXPECT_THAT(err, HasSubstr("adapter.driver"));
    EXPECT_THAT(err, HasSubstr("unknown driver \"carrier-pigeon\""));
    EXPECT_THAT(err, HasSubstr("local"));
    EXPECT_THAT(error_of("{}", {{"CACHE_DRIVER", "memcached"}}), HasSubstr("CACHE_DRIVER"));
    EXPECT_THAT(error_of("{}", {{"METRICS_DRIVER", "statsd"}}), HasSubstr("METRICS_DRIVER"));
    EXPECT_THAT(error_of(R"({"metrics": {"driver": "statsd"}})"), HasSubstr("metrics.driver"));
    EXPECT_THAT(error_of(R"({"app_manager": {"driver": "redis"}})"),
                HasSubstr("unknown driver \"redis\""))
        << "the documented redis app manager does not exist (§1.10)";
}

TEST(ConfigDrivers, AliasesWorkInFilesAndEnvironment) {
    EXPECT_EQ(
        from_json(R"({"adapter": {"driver": "Local"}, "cache": {"driver": "none"}})").cache_driver,
        CacheDriver::None);
    EXPECT_EQ(from_json("{}", {{"RATE_LIMITER_DRIVER", "MEMORY"}}).rate_limiter.driver,
              RateLimiterDriver::Memory);
    EXPECT_EQ(from_json(R"({"queue": {"driver": "none"}})").queue_driver, QueueDriver::None);
}

TEST(ConfigDrivers, RecognisedDriversNotInThisBuildStopStartUp) {
    // postgres is an alias Sockudo's file parser rejects; here it is understood and built.
    EXPECT_EQ(from_json(R"({"app_manager": {"driver": "postgres"}})").app_manager_driver,
              AppManagerDriver::Postgres);
    EXPECT_EQ(from_json("{}", {{"APP_MANAGER_DRIVER", "PostgreSQL"}}).app_manager_driver,
              AppManagerDriver::Postgres);
    EXPECT_THAT(error_of("{}", {{"ADAPTER_DRIVER", "redis-cluster"}}),
                HasSubstr("adapter.driver (set by ADAPTER_DRIVER)"));
    EXPECT_THAT(error_of(R"({"cache": {"driver": "redis-cluster"}})"), HasSubstr("cache.driver"));
}

TEST(ConfigDrivers, RedisAndNatsAdaptersAreAvailable) {
    EXPECT_EQ(from_json("{}", {{"ADAPTER_DRIVER", "redis"}}).adapter.driver, AdapterDriver::Redis);
    EXPECT_EQ(from_json(R"({"adapter": {"driver": "nats"}})").adapter.driver, AdapterDriver::Nats);
}

TEST(ConfigDrivers, EnvDriverOverridesTheFile) {
    EXPECT_EQ(
        from_json(R"({"cache": {"driver": "memory"}})", {{"CACHE_DRIVER", "none"}}).cache_driver,
        CacheDriver::None);
}
