#include "metrics/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "metrics/family_builder.hpp"

namespace sockudo::metrics {

namespace {

struct ProcStat {
    double cpu_seconds = 0;
    double start_time_seconds = 0;
    double virtual_bytes = 0;
    double resident_bytes = 0;
};

double boot_time_seconds() {
    std::ifstream in("/proc/stat");
    std::string key;
    while (in >> key) {
        if (key == "btime") {
            double t = 0;
            in >> t;
            return t;
        }
        std::string rest;
        std::getline(in, rest);
    }
    return 0;
}

ProcStat read_proc_stat() {
    ProcStat s;
    std::ifstream in("/proc/self/stat");
    std::string line;
    if (!std::getline(in, line)) return s;
    // The command name may contain spaces; fields are counted after its closing parenthesis.
    const auto close = line.rfind(')');
    if (close == std::string::npos) return s;
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    // Field 3 (state) is the first after the name; utime=14, stime=15, starttime=22,
    // vsize=23, rss=24.
    for (int index = 3; fields >> field; ++index) {
        if (index == 14 || index == 15) s.cpu_seconds += std::stod(field) / ticks;
        if (index == 22) s.start_time_seconds = boot_time_seconds() + std::stod(field) / ticks;
        if (index == 23) s.virtual_bytes = std::stod(field);
        if (index == 24) {
            s.resident_bytes = std::stod(field) * page;
            break;
        }
    }
    return s;
}

double open_fds() {
    std::error_code ec;
    double n = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        ++n;
    }
    return n;
}

}  // namespace

ProcessSample sample_process() {
    const ProcStat s = read_proc_stat();
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    ProcessSample out;
    out.resident_bytes = s.resident_bytes;
    out.virtual_bytes = s.virtual_bytes;
    out.cpu_seconds = s.cpu_seconds;
    out.start_time_seconds = s.start_time_seconds;
    out.open_fds = open_fds();
    out.max_fds = static_cast<double>(limit.rlim_cur);
    return out;
}

ProcessSampler::ProcessSampler() : latest_(sample_process()), thread_([this] { run(); }) {}

ProcessSampler::~ProcessSampler() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void ProcessSampler::run() {
    using namespace std::chrono;
    std::unique_lock lock(mutex_);
    for (;;) {
        // Sample often when it is cheap, rarely when the descriptor table is huge.
        lock.unlock();
        const auto started = steady_clock::now();
        ProcessSample fresh = sample_process();
        const auto took = steady_clock::now() - started;
        lock.lock();
        latest_ = fresh;
        const auto pause = std::max<steady_clock::duration>(seconds(1), took * 100);
        if (wake_.wait_for(lock, pause, [this] { return stopping_; })) return;
    }
}

void ProcessSampler::append(std::vector<prometheus::MetricFamily>& out) const {
    ProcessSample s;
    {
        std::lock_guard lock(mutex_);
        s = latest_;
    }
    auto gauge = [&](const char* name, const char* help, double value) {
        auto f = family(name, help, prometheus::MetricType::Gauge);
        add_gauge(f, {}, value);
        out.push_back(std::move(f));
    };
    gauge("process_resident_memory_bytes", "Resident memory size in bytes.", s.resident_bytes);
    gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", s.virtual_bytes);
    gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
          s.cpu_seconds);
    gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
          s.start_time_seconds);
    gauge("process_open_fds", "Number of open file descriptors.", s.open_fds);
    gauge("process_max_fds", "Maximum number of open file descriptors.", s.max_fds);
}

}  // namespace sockudo::metrics
