#pragma once
// The main listener's request handler: WebSocket upgrades on {path_prefix}/app/{key} become
// core sessions; everything else is routed to the operational endpoints and the HTTP API.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/cors.hpp"
#include "api/http_api.hpp"
#include "core/engine.hpp"
#include "core/rate_limiter.hpp"
#include "transport/connection.hpp"

namespace sockudo::api {

class Router final : public transport::ConnectionHandler {
public:
    // `limiter` applies the per-IP API and WebSocket-connect limits; null when rate limiting is
    // off.
    Router(core::Engine& engine, std::shared_ptr<core::RateLimiter> limiter);

    void on_http(transport::Connection& connection, transport::HttpRequest& request,
                 transport::HttpResponder responder) override;
    void on_upgrade(transport::Connection& connection, const transport::HttpRequest& request,
                    transport::UpgradeResponder responder) override;

private:
    // Nothing when the answer comes later (a cluster-wide question).
    std::optional<transport::HttpResponse> route(transport::Connection& connection,
                                                 transport::HttpRequest& request,
                                                 std::string_view path, std::string_view query,
                                                 const transport::HttpResponder& responder);
    using Headers = std::vector<std::pair<std::string, std::string>>;
    // The signed HTTP API: looks the app up (later on an app store miss), then answers.
    std::optional<transport::HttpResponse> api(transport::Connection& connection,
                                               transport::HttpRequest& request,
                                               std::string_view path, std::string_view raw_path,
                                               std::string_view query,
                                               const transport::HttpResponder& responder,
                                               Headers limit_headers);
    // The answer once the app lookup is done; sends it unless a cluster-wide question answers
    // later.
    void answer_api(transport::HttpRequest& request, std::string_view path,
                    std::string_view raw_path, std::string_view query,
                    transport::HttpResponder responder, Headers& headers, core::AppPtr app,
                    core::LookupStatus status);
    // CORS headers and the HEAD rule, for every response.
    void finish(const transport::HttpRequest& request, transport::HttpResponse& response) const;
    // A Reply that finishes and sends a response later, on the connection's worker.
    // `headers` (the rate limiter's) are added to it.
    Reply finish_later(transport::Connection& connection, const transport::HttpRequest& request,
                       std::string path, const transport::HttpResponder& responder,
                       Headers headers);

    // Applies a per-IP limit, then calls `done` on the connection's worker: with the 429 (or the
    // 500 of an unreachable shared limiter) when the request is refused, else with nothing and
    // the x-ratelimit-* headers for the answer.
    // Whether `limit` applies at all (rate limiting on, a positive maximum).
    bool limits(const config::RateLimit& limit) const;
    using Limited =
        std::function<void(std::optional<transport::HttpResponse> refusal, Headers allowed)>;
    void limit(transport::Connection& connection, const transport::HttpRequest& request,
               const config::RateLimit& limit, std::string_view scope, Limited done);
    void count_http(transport::Connection& connection, std::string_view path, size_t request_bytes,
                    const transport::HttpResponse& response);

    core::Engine& engine_;
    std::shared_ptr<core::RateLimiter> limiter_;  // null when rate limiting is off
    HttpApi api_;
    Cors cors_;
    std::string prefix_;  // path_prefix without a trailing slash ("" for "/")
};

// The JSON error body of the HTTP API (protocol-v1 §11.1): {"error": message, "code": status,
// "status": status}; SDKs surface the body text, so the message is what callers read.
transport::HttpResponse json_error(int status, std::string_view message);

}  // namespace sockudo::api
