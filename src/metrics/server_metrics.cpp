#include "metrics/server_metrics.hpp"

#include <prometheus/text_serializer.h>

#include <limits>
#include <sstream>
#include <vector>

#include "metrics/family_builder.hpp"
#include "metrics/process_metrics.hpp"

namespace sockudo::metrics {

using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

constexpr size_t kErrorTypes = static_cast<size_t>(core::ConnectionError::Count);

// One app's counters summed over all workers.
struct AppTotals {
    uint64_t new_connections = 0, disconnections = 0;
    uint64_t ws_bytes_received = 0, ws_bytes_sent = 0, ws_messages_received = 0,
             ws_messages_sent = 0;
    uint64_t http_calls = 0, http_bytes_received = 0, http_bytes_sent = 0;
    uint64_t client_events_rate_limited = 0;
    std::array<uint64_t, kErrorTypes> errors{};
    std::array<uint64_t, core::kChannelTypes> subscriptions{}, unsubscriptions{};
    std::array<int64_t, core::kChannelTypes> active_channels{};
    struct Histogram {
        std::array<uint64_t, core::kLatencyBucketsMs.size() + 1> buckets{};
        uint64_t count = 0, sum_ns = 0;
    };
    std::array<std::array<Histogram, core::kRecipientBuckets>, core::kChannelTypes> latency{};

    void add(const core::TrafficCounters& t) {
        new_connections += t.new_connections.get();
        disconnections += t.disconnections.get();
        ws_bytes_received += t.ws_bytes_received.get();
        ws_bytes_sent += t.ws_bytes_sent.get();
        ws_messages_received += t.ws_messages_received.get();
        ws_messages_sent += t.ws_messages_sent.get();
        http_calls += t.http_calls.get();
        http_bytes_received += t.http_bytes_received.get();
        http_bytes_sent += t.http_bytes_sent.get();
        client_events_rate_limited += t.client_events_rate_limited.get();
        for (size_t i = 0; i < kErrorTypes; ++i) errors[i] += t.connection_errors[i].get();
        for (size_t c = 0; c < core::kChannelTypes; ++c) {
            subscriptions[c] += t.subscriptions[c].get();
            unsubscriptions[c] += t.unsubscriptions[c].get();
            for (size_t r = 0; r < core::kRecipientBuckets; ++r) {
                const core::LatencyHistogram& h = t.broadcast_latency[c][r];
                Histogram& out = latency[c][r];
                for (size_t b = 0; b < out.buckets.size(); ++b)
                    out.buckets[b] += h.buckets[b].get();
                out.count += h.count.get();
                out.sum_ns += h.sum_ns.get();
            }
        }
    }
    void add(const AppTotals& o) {
        new_connections += o.new_connections;
        disconnections += o.disconnections;
        ws_bytes_received += o.ws_bytes_received;
        ws_bytes_sent += o.ws_bytes_sent;
        ws_messages_received += o.ws_messages_received;
        ws_messages_sent += o.ws_messages_sent;
        http_calls += o.http_calls;
        http_bytes_received += o.http_bytes_received;
        http_bytes_sent += o.http_bytes_sent;
        client_events_rate_limited += o.client_events_rate_limited;
        for (size_t i = 0; i < kErrorTypes; ++i) errors[i] += o.errors[i];
        for (size_t c = 0; c < core::kChannelTypes; ++c) {
            subscriptions[c] += o.subscriptions[c];
            unsubscriptions[c] += o.unsubscriptions[c];
            active_channels[c] += o.active_channels[c];
            for (size_t r = 0; r < core::kRecipientBuckets; ++r) {
                for (size_t b = 0; b < latency[c][r].buckets.size(); ++b) {
                    latency[c][r].buckets[b] += o.latency[c][r].buckets[b];
                }
                latency[c][r].count += o.latency[c][r].count;
                latency[c][r].sum_ns += o.latency[c][r].sum_ns;
            }
        }
    }
};

struct Series {
    std::string app_id;
    AppTotals totals;
};

}  // namespace

ServerMetrics::ServerMetrics(core::Engine& engine, const webhooks::DispatcherStats* webhooks,
                             ScrapeOptions options)
    : engine_(engine), webhooks_(webhooks), options_(std::move(options)) {}

std::string ServerMetrics::scrape() const {
    std::vector<Series> series;
    Series other{"_other", {}};
    bool has_other = false;
    for (const auto& app : engine_.apps().all()) {
        AppTotals totals;
        for (unsigned w = 0; w < app->worker_count; ++w) totals.add(app->traffic(w));
        for (size_t c = 0; c < core::kChannelTypes; ++c) {
            totals.active_channels[c] =
                app->channels.active_channels(static_cast<core::ChannelTypeLabel>(c));
        }
        if (series.size() < options_.max_app_series) {
            series.push_back({app->app().id, std::move(totals)});
        } else {
            other.totals.add(totals);
            has_other = true;
        }
    }
    if (has_other) series.push_back(std::move(other));

    const std::string& p = options_.prefix;
    const std::string& port = options_.port_label;
    std::vector<MetricFamily> families;
    auto per_app = [&](const char* name, const char* help, MetricType type, auto value_of) {
        MetricFamily f = family(p + name, help, type);
        for (const Series& s : series) {
            const double v = static_cast<double>(value_of(s.totals));
            if (type == MetricType::Gauge) {
                add_gauge(f, {{"app_id", s.app_id}, {"port", port}}, v);
            } else {
                add_counter(f, {{"app_id", s.app_id}, {"port", port}}, v);
            }
        }
        families.push_back(std::move(f));
    };
    per_app("connected", "Number of currently connected sockets", MetricType::Gauge,
            [](const AppTotals& t) {
                return t.new_connections >= t.disconnections ? t.new_connections - t.disconnections
                                                             : 0;
            });
    per_app("new_connections_total", "Total number of new connections", MetricType::Counter,
            [](const AppTotals& t) { return t.new_connections; });
    per_app("new_disconnections_total", "Total number of disconnections", MetricType::Counter,
            [](const AppTotals& t) { return t.disconnections; });
    per_app("socket_received_bytes", "Total WebSocket payload bytes received", MetricType::Counter,
            [](const AppTotals& t) { return t.ws_bytes_received; });
    per_app("socket_transmitted_bytes", "Total WebSocket bytes sent", MetricType::Counter,
            [](const AppTotals& t) { return t.ws_bytes_sent; });
    per_app("ws_messages_received_total", "Total WebSocket messages received", MetricType::Counter,
            [](const AppTotals& t) { return t.ws_messages_received; });
    per_app("ws_messages_sent_total", "Total WebSocket messages sent", MetricType::Counter,
            [](const AppTotals& t) { return t.ws_messages_sent; });
    per_app("http_received_bytes", "Total HTTP API request bytes received", MetricType::Counter,
            [](const AppTotals& t) { return t.http_bytes_received; });
    per_app("http_transmitted_bytes", "Total HTTP API response bytes sent", MetricType::Counter,
            [](const AppTotals& t) { return t.http_bytes_sent; });
    per_app("http_calls_received_total", "Total HTTP API calls received", MetricType::Counter,
            [](const AppTotals& t) { return t.http_calls; });

    {
        MetricFamily f =
            family(p + "connection_errors_total", "Connection errors by type", MetricType::Counter);
        auto add_errors = [&](const std::string& app_id,
                              const std::array<uint64_t, kErrorTypes>& errors) {
            for (size_t i = 0; i < kErrorTypes; ++i) {
                if (errors[i] == 0) continue;  // series appear after their first observation
                add_counter(f,
                            {{"app_id", app_id},
                             {"port", port},
                             {"error_type",
                              core::connection_error_label(static_cast<core::ConnectionError>(i))}},
                            static_cast<double>(errors[i]));
            }
        };
        for (const Series& s : series) add_errors(s.app_id, s.totals.errors);
        std::array<uint64_t, kErrorTypes> unknown{};
        for (unsigned w = 0; w < engine_.worker_count(); ++w) {
            for (size_t i = 0; i < kErrorTypes; ++i)
                unknown[i] += engine_.unknown_app_traffic(w).connection_errors[i].get();
        }
        add_errors("unknown", unknown);
        families.push_back(std::move(f));
    }
    {
        MetricFamily checks = family(p + "rate_limit_triggered_total",
                                     "Requests rejected by a rate limiter", MetricType::Counter);
        for (const Series& s : series) {
            if (s.totals.client_events_rate_limited == 0) continue;
            add_counter(checks,
                        {{"app_id", s.app_id},
                         {"port", port},
                         {"limiter_type", "client_events"},
                         {"request_context", "websocket"}},
                        static_cast<double>(s.totals.client_events_rate_limited));
        }
        families.push_back(std::move(checks));
    }
    {
        MetricFamily subs =
            family(p + "channel_subscriptions_total", "Channel subscriptions", MetricType::Counter);
        MetricFamily unsubs = family(p + "channel_unsubscriptions_total", "Channel unsubscriptions",
                                     MetricType::Counter);
        MetricFamily active = family(p + "active_channels", "Occupied channels", MetricType::Gauge);
        for (const Series& s : series) {
            for (size_t c = 0; c < core::kChannelTypes; ++c) {
                const std::string type =
                    core::channel_type_label(static_cast<core::ChannelTypeLabel>(c));
                add_counter(subs, {{"app_id", s.app_id}, {"port", port}, {"channel_type", type}},
                            static_cast<double>(s.totals.subscriptions[c]));
                add_counter(unsubs, {{"app_id", s.app_id}, {"port", port}, {"channel_type", type}},
                            static_cast<double>(s.totals.unsubscriptions[c]));
                add_gauge(active, {{"app_id", s.app_id}, {"port", port}, {"channel_type", type}},
                          static_cast<double>(s.totals.active_channels[c]));
            }
        }
        families.push_back(std::move(subs));
        families.push_back(std::move(unsubs));
        families.push_back(std::move(active));
    }
    {
        MetricFamily f =
            family(p + "broadcast_latency_ms",
                   "Time from publish to enqueue on every local subscriber, in milliseconds",
                   MetricType::Histogram);
        for (const Series& s : series) {
            for (size_t c = 0; c < core::kChannelTypes; ++c) {
                for (size_t r = 0; r < core::kRecipientBuckets; ++r) {
                    const auto& h = s.totals.latency[c][r];
                    if (h.count == 0) continue;
                    prometheus::ClientMetric m;
                    m.label = {
                        {"app_id", s.app_id},
                        {"channel_type",
                         core::channel_type_label(static_cast<core::ChannelTypeLabel>(c))},
                        {"port", port},
                        {"recipient_count_bucket",
                         core::recipient_bucket_label(static_cast<core::RecipientBucket>(r))}};
                    m.histogram.sample_count = h.count;
                    m.histogram.sample_sum = static_cast<double>(h.sum_ns) / 1e6;
                    uint64_t cumulative = 0;
                    for (size_t b = 0; b < h.buckets.size(); ++b) {
                        cumulative += h.buckets[b];
                        const double bound = b < core::kLatencyBucketsMs.size()
                                                 ? core::kLatencyBucketsMs[b]
                                                 : std::numeric_limits<double>::infinity();
                        m.histogram.bucket.push_back({cumulative, bound});
                    }
                    f.metric.push_back(std::move(m));
                }
            }
        }
        families.push_back(std::move(f));
    }
    if (const core::ClusterLink* link = engine_.cluster()) {
        // Node-wide (Sockudo labels these per app; the link counts per node).
        const core::ClusterCounters& c = link->counters();
        auto counter = [&](const char* name, const char* help, uint64_t v) {
            MetricFamily f = family(p + name, help, MetricType::Counter);
            add_counter(f, {{"port", port}}, static_cast<double>(v));
            families.push_back(std::move(f));
        };
        counter("horizontal_adapter_sent_requests", "Cluster requests sent",
                c.requests_sent.load());
        counter("horizontal_adapter_received_requests", "Cluster requests answered",
                c.requests_received.load());
        counter("horizontal_adapter_received_responses", "Cluster responses received",
                c.responses_received.load());
        counter("horizontal_adapter_resolved_promises", "Cluster requests answered by every node",
                c.requests_complete.load());
        counter("horizontal_adapter_uncomplete_promises",
                "Cluster requests answered partially (deadline)", c.requests_partial.load());
        counter("horizontal_adapter_broadcasts_sent_total", "Broadcasts handed to the broker",
                c.broadcasts_sent.load());
        counter("horizontal_adapter_broadcasts_received_total",
                "Broadcasts received from other nodes", c.broadcasts_received.load());
        counter("horizontal_transport_messages_dropped_total",
                "Cluster messages dropped (unparseable, or refused while the broker was down)",
                c.invalid_messages.load() + c.broadcasts_dropped.load());
        counter("horizontal_adapter_dead_nodes_total",
                "Nodes this node declared dead and cleaned up after", c.dead_nodes.load());
        MetricFamily up = family(p + "horizontal_adapter_connected",
                                 "1 while the cluster broker is reachable", MetricType::Gauge);
        add_gauge(up, {{"port", port}}, link->healthy() ? 1.0 : 0.0);
        families.push_back(std::move(up));
    }
    if (webhooks_ != nullptr) {
        MetricFamily f =
            family(p + "webhooks_total", "Webhook requests by outcome", MetricType::Counter);
        add_counter(f, {{"port", port}, {"result", "delivered"}},
                    static_cast<double>(webhooks_->delivered.load()));
        add_counter(f, {{"port", port}, {"result", "failed"}},
                    static_cast<double>(webhooks_->failed.load()));
        add_counter(f, {{"port", port}, {"result", "retried"}},
                    static_cast<double>(webhooks_->retried.load()));
        add_counter(f, {{"port", port}, {"result", "dropped"}},
                    static_cast<double>(webhooks_->dropped.load()));
        families.push_back(std::move(f));
        MetricFamily events =
            family(p + "webhook_events_total", "Webhook events produced", MetricType::Counter);
        add_counter(events, {{"port", port}}, static_cast<double>(webhooks_->events.load()));
        families.push_back(std::move(events));
    }
    process_.append(families);

    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    return out.str();
}

}  // namespace sockudo::metrics
