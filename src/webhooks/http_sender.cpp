#include "webhooks/http_sender.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace sockudo::webhooks {

namespace {

size_t discard_body(char*, size_t size, size_t count, void*) {
    return size * count;
}

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

struct HttpSender::Transfer {
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    HttpPost post;
    Completion done;
    char error[CURL_ERROR_SIZE] = {};

    ~Transfer() {
        if (easy != nullptr) curl_easy_cleanup(easy);
        if (headers != nullptr) curl_slist_free_all(headers);
    }
};

HttpSender::HttpSender() {
    global_init_once();
    multi_ = curl_multi_init();
    if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
}

HttpSender::~HttpSender() {
    for (auto& t : transfers_) curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
    transfers_.clear();
    curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void HttpSender::start(HttpPost post, Completion done) {
    auto t = std::make_unique<Transfer>();
    t->post = std::move(post);
    t->done = std::move(done);
    t->easy = curl_easy_init();
    if (t->easy == nullptr) {
        t->done(HttpResult{0, "curl_easy_init failed"});
        return;
    }
    for (const auto& [name, value] : t->post.headers) {
        const std::string line = name + ": " + value;
        t->headers = curl_slist_append(t->headers, line.c_str());
    }
    CURL* e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, t->post.url.c_str());
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->post.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->post.body.size()));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t->post.timeout.count()));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    // A redirected webhook stays a POST with its body (curl would otherwise switch to GET).
    curl_easy_setopt(e, CURLOPT_POSTREDIR, static_cast<long>(CURL_REDIR_POST_ALL));
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &discard_body);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    if (curl_multi_add_handle(static_cast<CURLM*>(multi_), e) != CURLM_OK) {
        t->done(HttpResult{0, "curl_multi_add_handle failed"});
        return;
    }
    transfers_.push_back(std::move(t));
}

void HttpSender::poll(std::chrono::milliseconds timeout) {
    auto* multi = static_cast<CURLM*>(multi_);
    int running = 0;
    curl_multi_perform(multi, &running);
    reap();
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::max<int64_t>(0, timeout.count())),
                    nullptr);
    curl_multi_perform(multi, &running);
    reap();
}

void HttpSender::wakeup() {
    curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

size_t HttpSender::in_flight() const {
    return transfers_.size();
}

void HttpSender::reap() {
    auto* multi = static_cast<CURLM*>(multi_);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Transfer* raw = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
        HttpResult result;
        if (msg->data.result == CURLE_OK) {
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &result.status);
        } else {
            result.error =
                raw->error[0] != '\0' ? raw->error : curl_easy_strerror(msg->data.result);
        }
        curl_multi_remove_handle(multi, msg->easy_handle);
        auto it = std::find_if(transfers_.begin(), transfers_.end(),
                               [&](const auto& t) { return t.get() == raw; });
        if (it == transfers_.end()) continue;
        std::unique_ptr<Transfer> done = std::move(*it);
        *it = std::move(transfers_.back());
        transfers_.pop_back();
        // The callback may start new transfers; it runs after this one left the list.
        done->done(result);
    }
}

}  // namespace sockudo::webhooks
