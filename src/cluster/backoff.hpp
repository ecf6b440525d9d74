#pragma once
// Reconnect delays: 500 ms doubling to 10 s, back to 500 ms after a successful connect
// (operations.md §3.2).

#include <algorithm>
#include <chrono>

namespace sockudo::cluster {

class Backoff {
public:
    static constexpr std::chrono::milliseconds kInitial{500};
    static constexpr std::chrono::milliseconds kMax{10000};

    std::chrono::milliseconds next() {
        const auto d = current_;
        current_ = std::min(current_ * 2, kMax);
        return d;
    }
    void reset() { current_ = kInitial; }

private:
    std::chrono::milliseconds current_ = kInitial;
};

}  // namespace sockudo::cluster
