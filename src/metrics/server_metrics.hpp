#pragma once
// The /metrics document: Sockudo's metric families (operations.md §6.2) summed over the
// workers' counters at scrape time, webhook outcomes, and process gauges.

#include <cstdint>
#include <string>

#include "core/engine.hpp"
#include "metrics/process_metrics.hpp"
#include "webhooks/webhook_dispatcher.hpp"

namespace sockudo::metrics {

struct ScrapeOptions {
    std::string prefix = "sockudo_";
    std::string port_label;  // the metrics port, as Sockudo labels it
    // Apps beyond this many get summed into app_id="_other" so that a store with thousands of
    // tenants cannot blow up the series count.
    size_t max_app_series = 500;
};

class ServerMetrics {
public:
    ServerMetrics(core::Engine& engine, const webhooks::DispatcherStats* webhooks,
                  ScrapeOptions options);

    // Prometheus text exposition format 0.0.4.
    std::string scrape() const;

private:
    core::Engine& engine_;
    const webhooks::DispatcherStats* webhooks_;
    ScrapeOptions options_;
    ProcessSampler process_;
};

}  // namespace sockudo::metrics
