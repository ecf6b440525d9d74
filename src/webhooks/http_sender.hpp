#pragma once
// Outbound HTTP POSTs on one libcurl multi handle. Owned and driven by a single thread (the
// webhook dispatcher); wakeup() is the only call that is safe from other threads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sockudo::webhooks {

struct HttpPost {
    std::string url;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds timeout{10000};
};

struct HttpResult {
    long status = 0;    // 0 when no response arrived
    std::string error;  // transport error text when status is 0
};

class HttpSender {
public:
    using Completion = std::function<void(const HttpResult&)>;

    HttpSender();
    ~HttpSender();
    HttpSender(const HttpSender&) = delete;
    HttpSender& operator=(const HttpSender&) = delete;

    void start(HttpPost post, Completion done);
    // Runs transfers and completion callbacks, waiting up to `timeout` for activity or wakeup().
    void poll(std::chrono::milliseconds timeout);
    void wakeup();
    size_t in_flight() const;

private:
    struct Transfer;
    void reap();

    void* multi_;
    std::vector<std::unique_ptr<Transfer>> transfers_;
};

}  // namespace sockudo::webhooks
