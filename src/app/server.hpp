#pragma once
// Wiring of one node: workers, listeners, the core engine and the HTTP router, plus the
// start-up banner and the graceful shutdown sequence.

#include <memory>
#include <vector>

#include "config/options.hpp"

namespace sockudo::app {

class Server {
public:
    explicit Server(config::Options options);
    ~Server();
    // Serves until SIGTERM/SIGINT, then drains. Returns the process exit code.
    int run();

private:
    // Connects the adapter (operations.md §3, §1.9); false when start-up must stop.
    bool start_cluster();

    struct Parts;
    config::Options options_;
    std::unique_ptr<Parts> parts_;
};

}  // namespace sockudo::app
