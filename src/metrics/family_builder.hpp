#pragma once
// Small helpers to build prometheus-cpp MetricFamily values at scrape time.

#include <prometheus/metric_family.h>

#include <initializer_list>
#include <string>
#include <utility>

namespace sockudo::metrics {

using Labels = std::initializer_list<std::pair<const char*, std::string>>;

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type);
void add_counter(prometheus::MetricFamily& f, Labels labels, double value);
void add_gauge(prometheus::MetricFamily& f, Labels labels, double value);

}  // namespace sockudo::metrics
