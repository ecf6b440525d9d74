#include "app/server.hpp"

#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <functional>
#include <thread>

#include "api/router.hpp"
#include "app/https_redirect.hpp"
#include "app/metrics_endpoint.hpp"
#include "apps/app_store.hpp"
#include "apps/store_pool.hpp"
#include "cluster/adapter_factory.hpp"
#include "cluster/cluster_node.hpp"
#include "cluster/shared_state.hpp"
#include "config/drivers.hpp"
#include "core/app_registry.hpp"
#include "core/engine.hpp"
#include "core/event_hooks.hpp"
#include "core/session.hpp"
#include "protocol/close_codes.hpp"
#include "protocol/server_message.hpp"
#include "transport/listener.hpp"
#include "transport/tls_context.hpp"
#include "transport/worker.hpp"
#include "webhooks/redis_job_queue.hpp"
#include "webhooks/webhook_dispatcher.hpp"

namespace sockudo::app {

namespace {

rlim_t raise_open_files_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

// How long start-up waits for the adapter's broker before applying fallback_to_local.
constexpr std::chrono::milliseconds kAdapterStartWait{3000};

// The CPUs this process may run on (its affinity mask, e.g. from taskset or a cpuset).
std::vector<int> usable_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (::sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    }
    return cpus;
}

// One worker per CPU the process may use: under taskset or a container's cpuset, the cores
// outside it would only add threads competing for the same ones.
unsigned worker_count(const config::Options& options, const std::vector<int>& cpus) {
    int64_t n = options.workers;
    if (n <= 0 && !cpus.empty()) n = static_cast<int64_t>(cpus.size());
    if (n <= 0) n = std::max(1u, std::thread::hardware_concurrency());
    return static_cast<unsigned>(std::min<int64_t>(n, core::kMaxWorkers));
}

// The memory registry, or a database one after migrations, the upsert of the inline apps and
// a first read of the table. A database that cannot be reached at start is fatal (operations
// §1.9 [R]): a node that silently starts without its apps is worse than one that does not start.
std::unique_ptr<core::AppRegistry> open_app_registry(const config::Options& options,
                                                     unsigned workers) {
    if (options.app_manager_driver == config::AppManagerDriver::Memory) {
        return std::make_unique<core::AppRegistry>(options, workers);
    }
    const char* driver = config::driver_name(options.app_manager_driver);
    try {
        apps::StoreFactory factory = apps::make_store_factory(options);
        std::unique_ptr<apps::AppStore> store = factory();
        store->migrate();
        for (const auto& app : options.apps) store->upsert(app);
        const std::vector<config::App> initial = store->all();
        spdlog::info(
            "app store {}: {} app(s) in the database, {} inline app(s) registered, cache ttl {} s",
            driver, initial.size(), options.apps.size(), options.app_manager_cache_ttl_s);
        auto pool = std::make_unique<apps::StorePool>(factory, apps::store_threads(options));
        return std::make_unique<core::AppRegistry>(options, workers, std::move(pool), initial);
    } catch (const std::exception& e) {
        spdlog::critical("app store {}: cannot start: {}", driver, e.what());
        return nullptr;
    }
}

}  // namespace

struct Server::Parts {
    std::unique_ptr<webhooks::WebhookDispatcher> webhooks;
    std::vector<std::unique_ptr<transport::Worker>> workers;
    // After the workers, before the engine that uses its cache: stopped (by its destructor at
    // the latest) while the workers its answers are posted to still exist.
    cluster::SharedState shared;
    // After the workers: destroyed first, so no database thread posts to a worker that is gone.
    std::unique_ptr<core::AppRegistry> apps;
    std::unique_ptr<core::Engine> engine;
    std::unique_ptr<cluster::ClusterNode> cluster;
    std::unique_ptr<api::Router> router;
    std::unique_ptr<metrics::ServerMetrics> server_metrics;
    std::unique_ptr<MetricsEndpoint> metrics;
    transport::ConnectionLimits limits;
    transport::ConnectionLimits metrics_limits;
    std::vector<std::unique_ptr<transport::Listener>> listeners;
    std::unique_ptr<transport::Listener> metrics_listener;
    std::unique_ptr<transport::TlsContext> tls;
    std::unique_ptr<HttpsRedirect> redirect;
    std::unique_ptr<transport::Listener> redirect_listener;
};

Server::Server(config::Options options) : options_(std::move(options)), parts_(new Parts) {}

Server::~Server() = default;

bool Server::start_cluster() {
    Parts& p = *parts_;
    if (options_.adapter.driver == config::AdapterDriver::Local) return true;
    const bool fallback = options_.adapter.fallback_to_local;
    cluster::TransportPtr transport;
    try {
        transport = cluster::make_transport(options_);
    } catch (const std::exception& e) {
        if (!fallback) {
            spdlog::critical("adapter: {} (adapter.fallback_to_local is false)", e.what());
            return false;
        }
        // /up reports DEGRADED for as long as this node runs alone.
        spdlog::warn("adapter: {}; running as a single node (adapter.fallback_to_local)", e.what());
        return true;
    }
    p.cluster = std::make_unique<cluster::ClusterNode>(*p.engine, std::move(transport),
                                                       cluster::ClusterSettings::from(options_));
    p.engine->set_cluster(p.cluster.get());
    p.cluster->start();
    // The broker may be down at start: wait a moment for it, then either refuse to start or
    // serve local sockets while the transport keeps reconnecting (and joins when it can).
    const auto until = std::chrono::steady_clock::now() + kAdapterStartWait;
    while (!p.cluster->healthy() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (p.cluster->healthy()) return true;
    if (!fallback) {
        spdlog::critical("adapter: {} unreachable at start-up (adapter.fallback_to_local is false)",
                         p.cluster->driver_name());
        p.engine->set_cluster(nullptr);
        p.cluster->stop();
        return false;
    }
    spdlog::warn(
        "adapter: {} unreachable at start-up; serving this node's sockets and reconnecting",
        p.cluster->driver_name());
    return true;
}

int Server::run() {
    Parts& p = *parts_;
    const rlim_t open_files = raise_open_files_limit();
    const std::vector<int> cpus = usable_cpus();
    const unsigned n = worker_count(options_, cpus);

    p.apps = open_app_registry(options_, n);
    if (!p.apps) return 1;
    std::vector<transport::Worker*> raw_workers;
    for (unsigned i = 0; i < n; ++i) {
        p.workers.push_back(std::make_unique<transport::Worker>(i, options_.batched_writes));
        raw_workers.push_back(p.workers.back().get());
    }
    for (auto& worker : p.workers) worker->set_peers(raw_workers);
    if (options_.worker_cpu_affinity) {
        if (cpus.empty()) {
            spdlog::warn(
                "worker_cpu_affinity: cannot read the process's CPU set; workers are not pinned");
        } else {
            for (unsigned i = 0; i < n; ++i) p.workers[i]->pin_to_cpu(cpus[i % cpus.size()]);
            spdlog::info("worker_cpu_affinity: {} worker(s) pinned round robin to CPUs {}", n,
                         fmt::join(cpus, ","));
        }
    }
    const auto webhook_settings = webhooks::DispatcherSettings::from(options_);
    std::unique_ptr<webhooks::JobQueue> webhook_jobs;
    if (options_.queue_driver == config::QueueDriver::Redis) {
        // Jobs name their app by id; the consumer sends with the app's current configuration.
        auto lookup =
            [apps = p.apps.get()](const std::string& id) -> std::shared_ptr<const config::App> {
            core::AppPtr app = apps->find_by_id(id);
            return app ? std::make_shared<const config::App>(app->app()) : nullptr;
        };
        try {
            webhook_jobs =
                webhooks::make_redis_job_queue(options_, lookup, webhook_settings.max_intake);
        } catch (const std::exception& e) {
            spdlog::critical("{}", e.what());
            return 1;
        }
    }
    p.webhooks =
        std::make_unique<webhooks::WebhookDispatcher>(webhook_settings, std::move(webhook_jobs));
    p.webhooks->start();
    p.engine = std::make_unique<core::Engine>(options_, *p.apps, raw_workers, *p.webhooks);
    try {
        p.shared = cluster::open_shared_state(options_);
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
    p.engine->set_channel_cache(p.shared.cache.get());
    if (!start_cluster()) return 1;
    p.router = std::make_unique<api::Router>(*p.engine, p.shared.limiter);
    p.limits.max_body_bytes =
        static_cast<size_t>(options_.http_api.request_limit_in_mb) * 1024 * 1024;
    p.limits.max_message_bytes = static_cast<size_t>(options_.websocket_max_payload_kb) * 1024;
    p.limits.max_backpressure_bytes = static_cast<size_t>(options_.max_backpressure_bytes);

    if (options_.ssl.enabled) {
        try {
            p.tls = std::make_unique<transport::TlsContext>(transport::TlsFiles{
                options_.ssl.cert_path, options_.ssl.key_path, options_.ssl.passphrase});
        } catch (const std::exception& e) {
            spdlog::critical("TLS: {}", e.what());
            return 1;
        }
        if (options_.ssl.ca_path) {
            spdlog::warn("ssl.ca_path is set but unused: client certificates are not requested");
        }
    }
    const auto endpoint = transport::resolve_endpoint(options_.host, options_.port);
    try {
        for (auto& worker : p.workers) {
            p.listeners.push_back(std::make_unique<transport::Listener>(
                *worker, endpoint, *p.router, p.limits, /*reuse_port=*/true, p.tls.get()));
        }
    } catch (const std::exception& e) {
        spdlog::critical("cannot listen on {}:{}: {}", options_.host, options_.port, e.what());
        return 1;
    }
    // The redirect is a convenience: without it the TLS listener still serves (operations §9.5).
    std::string redirect_host = options_.host;
    if (p.tls && options_.ssl.redirect_http) {
        boost::system::error_code not_ip;
        boost::asio::ip::make_address(redirect_host, not_ip);
        if (not_ip) redirect_host = "0.0.0.0";
        try {
            p.redirect = std::make_unique<HttpsRedirect>(p.listeners.front()->port());
            p.redirect_listener = std::make_unique<transport::Listener>(
                *p.workers[0], transport::resolve_endpoint(redirect_host, options_.ssl.http_port),
                *p.redirect, p.metrics_limits, /*reuse_port=*/false);
        } catch (const std::exception& e) {
            spdlog::warn("HTTP redirect disabled: cannot listen on {}:{}: {}", redirect_host,
                         options_.ssl.http_port, e.what());
        }
    }
    if (options_.metrics.enabled) {
        metrics::ScrapeOptions scrape;
        scrape.prefix = options_.metrics.prefix;
        scrape.port_label = std::to_string(options_.metrics.port);
        p.server_metrics =
            std::make_unique<metrics::ServerMetrics>(*p.engine, &p.webhooks->stats(), scrape);
        p.metrics = std::make_unique<MetricsEndpoint>(*p.server_metrics);
        try {
            p.metrics_listener = std::make_unique<transport::Listener>(
                *p.workers[0],
                transport::resolve_endpoint(options_.metrics.host, options_.metrics.port),
                *p.metrics, p.metrics_limits, /*reuse_port=*/false);
        } catch (const std::exception& e) {
            spdlog::warn("metrics listener disabled: cannot listen on {}:{}: {}",
                         options_.metrics.host, options_.metrics.port, e.what());
        }
    }

    for (auto& worker : p.workers) worker->start();
    for (auto& listener : p.listeners) listener->start();
    if (p.metrics_listener) p.metrics_listener->start();

    spdlog::info(
        "sockudo {} listening on {}://{}:{} (WebSocket {}://…/app/{{key}}, HTTP API /apps/{{id}})",
        SOCKUDO_VERSION_STRING, p.tls ? "https" : "http", options_.host,
        p.listeners.front()->port(), p.tls ? "wss" : "ws");
    if (p.redirect_listener) {
        p.redirect_listener->start();
        spdlog::info("redirecting http://{}:{} to https port {}", redirect_host,
                     p.redirect_listener->port(), p.listeners.front()->port());
    }
    if (p.metrics_listener) {
        spdlog::info("metrics on http://{}:{}/metrics", options_.metrics.host,
                     p.metrics_listener->port());
    }
    spdlog::info(
        "{} worker(s), {} app(s), adapter={}, app_manager={}, cache={}, queue={}, "
        "rate_limiter={}, open files limit {}, config: {}",
        n, p.apps->size(), config::driver_name(options_.adapter.driver),
        config::driver_name(options_.app_manager_driver),
        config::driver_name(options_.cache_driver), config::driver_name(options_.queue_driver),
        options_.rate_limiter.enabled ? config::driver_name(options_.rate_limiter.driver) : "off",
        static_cast<unsigned long long>(open_files), options_.source);
    for (const auto& app : p.apps->all()) {
        spdlog::info("app {} enabled={} client_messages={} user_authentication={}", app->app().id,
                     app->app().enabled, app->app().enable_client_messages,
                     app->app().enable_user_authentication);
        if (app->app().secret == "app-secret" && options_.mode == "production") {
            spdlog::warn(
                "!!! app {} uses the well-known secret 'app-secret' in production mode: "
                "anyone can sign requests for it. Set SOCKUDO_DEFAULT_APP_SECRET or "
                "configure your own apps.",
                app->app().id);
        }
    }

    boost::asio::io_context signals_io;
    boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM, SIGHUP);
    int received = 0;
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            if (sig == SIGHUP) {
                // Certificate rotation: new connections get the new files, open ones stay.
                if (p.tls) {
                    std::string error;
                    if (p.tls->reload(error)) {
                        spdlog::info("SIGHUP: TLS certificate reloaded from {}",
                                     options_.ssl.cert_path);
                    } else {
                        spdlog::error(
                            "SIGHUP: TLS reload failed, keeping the current certificate: {}",
                            error);
                    }
                } else {
                    spdlog::info("SIGHUP: nothing to reload (TLS is off)");
                }
                signals.async_wait(on_signal);
                return;
            }
            received = sig;
        };
    signals.async_wait(on_signal);
    signals_io.run();
    spdlog::info("received {}, shutting down (grace period {} s)",
                 received == SIGINT ? "SIGINT" : "SIGTERM", options_.shutdown_grace_period_s);

    // Stop accepting, flip readiness, then close WebSockets with 4200 spread over the first half
    // of the grace period so that clients do not all reconnect to the other nodes at once.
    p.engine->set_draining();
    for (auto& listener : p.listeners) listener->stop();
    if (p.metrics_listener) p.metrics_listener->stop();
    if (p.redirect_listener) p.redirect_listener->stop();
    using clock = std::chrono::steady_clock;
    const auto grace =
        std::chrono::milliseconds(std::max<int64_t>(0, options_.shutdown_grace_period_s) * 1000);
    const auto deadline = clock::now() + grace;
    constexpr int kSlices = 10;
    const auto slice_gap = grace / 2 / kSlices;
    for (int slice = 0; slice < kSlices; ++slice) {
        const int remaining_slices = kSlices - slice;
        for (auto& worker : p.workers) {
            transport::Worker* w = worker.get();
            w->post([w, remaining_slices] {
                std::vector<transport::Connection*> open;
                for (auto* c : w->connections()) {
                    if (c->is_open()) open.push_back(c);
                }
                size_t count = (open.size() + remaining_slices - 1) / remaining_slices;
                for (size_t i = 0; i < count && i < open.size(); ++i) {
                    auto* session = dynamic_cast<core::Session*>(open[i]->session());
                    if (session != nullptr) {
                        session->reject(protocol::close_code::kReconnectImmediately,
                                        "Server is closing. Please reconnect shortly.");
                    } else {
                        open[i]->close(protocol::close_code::kReconnectImmediately,
                                       "Server is closing. Please reconnect shortly.");
                    }
                }
            });
        }
        if (slice_gap.count() > 0) std::this_thread::sleep_for(slice_gap);
    }
    // Wait for the close handshakes and cleanup to finish, bounded by the grace period.
    while (clock::now() < deadline) {
        size_t live = 0;
        for (auto& worker : p.workers) {
            auto count = std::make_shared<std::atomic<size_t>>(SIZE_MAX);
            worker->post([count, w = worker.get()] {
                size_t websockets = 0;
                for (auto* c : w->connections()) websockets += c->session() != nullptr ? 1 : 0;
                count->store(websockets);
            });
            while (count->load() == SIZE_MAX && clock::now() < deadline) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            live += count->load() == SIZE_MAX ? 1 : count->load();
        }
        if (live == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // Every local presence leave has been replicated by now: peers purge us without removals.
    if (p.cluster) p.cluster->stop();
    p.apps->stop();
    p.shared.stop();
    for (auto& worker : p.workers) worker->stop();
    for (auto& worker : p.workers) worker->join();
    // The workers are gone, so no more events arrive; what is queued gets the rest of the grace
    // period (at least a moment, so a zero grace period still sends the final vacated events).
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    p.webhooks->stop(std::max(left, std::chrono::milliseconds(500)));
    spdlog::info("shutdown complete");
    return 0;
}

}  // namespace sockudo::app
