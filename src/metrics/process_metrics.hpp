#pragma once
// Unprefixed process_* gauges (operations.md §6.2). Reading /proc/self/fd costs time in
// proportion to the open descriptors (tens of milliseconds at 10k sockets), so a background
// thread samples /proc and scrapes only copy the latest sample: a scrape never stalls the
// worker that serves it.

#include <prometheus/metric_family.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace sockudo::metrics {

struct ProcessSample {
    double resident_bytes = 0;
    double virtual_bytes = 0;
    double cpu_seconds = 0;
    double start_time_seconds = 0;
    double open_fds = 0;
    double max_fds = 0;
};

ProcessSample sample_process();

class ProcessSampler {
public:
    ProcessSampler();
    ~ProcessSampler();
    ProcessSampler(const ProcessSampler&) = delete;
    ProcessSampler& operator=(const ProcessSampler&) = delete;

    void append(std::vector<prometheus::MetricFamily>& out) const;

private:
    void run();

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    ProcessSample latest_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace sockudo::metrics
