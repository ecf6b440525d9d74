#include "metrics/family_builder.hpp"

namespace sockudo::metrics {

namespace {

prometheus::ClientMetric with_labels(Labels labels) {
    prometheus::ClientMetric m;
    m.label.reserve(labels.size());
    for (const auto& [name, value] : labels) m.label.push_back({name, value});
    return m;
}

}  // namespace

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type) {
    prometheus::MetricFamily f;
    f.name = std::move(name);
    f.help = std::move(help);
    f.type = type;
    return f;
}

void add_counter(prometheus::MetricFamily& f, Labels labels, double value) {
    prometheus::ClientMetric m = with_labels(labels);
    m.counter.value = value;
    f.metric.push_back(std::move(m));
}

void add_gauge(prometheus::MetricFamily& f, Labels labels, double value) {
    prometheus::ClientMetric m = with_labels(labels);
    m.gauge.value = value;
    f.metric.push_back(std::move(m));
}

}  // namespace sockudo::metrics
