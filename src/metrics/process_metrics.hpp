#pragma once
// Unprefixed process_* gauges (operations.md §6.2), read from /proc on each scrape.

#include <prometheus/metric_family.h>

#include <vector>

namespace sockudo::metrics {

void append_process_metrics(std::vector<prometheus::MetricFamily>& out);

}  // namespace sockudo::metrics
