#pragma once
// The loop of a cluster-side thread (Redis transport, shared-state client): runs its io_context
// until stopped, and a throwing handler is logged instead of ending the thread.

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <string_view>

namespace sockudo::cluster {

inline void run_until_stopped(boost::asio::io_context& io, std::string_view name) {
    auto work = boost::asio::make_work_guard(io);
    for (;;) {
        try {
            io.run();
            return;
        } catch (const std::exception& e) {
            spdlog::error("{}: handler failed: {}", name, e.what());
        }
    }
}

}  // namespace sockudo::cluster
