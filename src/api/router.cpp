#include "api/router.hpp"

#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <exception>

#include "api/client_ip.hpp"
#include "api/health.hpp"
#include "core/session.hpp"
#include "protocol/json_text.hpp"
#include "transport/worker.hpp"

namespace sockudo::api {

namespace http = boost::beast::http;

namespace {

std::string normalized_prefix(const std::string& path_prefix) {
    std::string p = path_prefix;
    while (!p.empty() && p.back() == '/') p.pop_back();
    if (!p.empty() && p.front() != '/') p.insert(p.begin(), '/');
    return p;
}

}  // namespace

transport::HttpResponse json_error(int status, std::string_view message) {
    transport::HttpResponse r;
    r.status = status;
    const std::string code = std::to_string(status);
    // Messages can quote request input (a decoded app id); json_string keeps the body valid
    // UTF-8 JSON whatever bytes that input held.
    r.body = "{\"error\":" + protocol::json_string(message) + ",\"code\":" + code +
             ",\"status\":" + code + "}";
    return r;
}

namespace {

// The one answer to a stray exception: a 500 with a log line naming the request.
transport::HttpResponse internal_error(std::string_view method, std::string_view path,
                                       const std::exception& e) {
    spdlog::error("request failed: {} {}: {}", method, path, e.what());
    return json_error(500, "Internal server error");
}

}  // namespace

Router::Router(core::Engine& engine, std::shared_ptr<core::RateLimiter> limiter)
    : engine_(engine),
      limiter_(std::move(limiter)),
      api_(engine),
      cors_(engine.options().cors),
      prefix_(normalized_prefix(engine.options().path_prefix)) {}

bool Router::limits(const config::RateLimit& limit) const {
    return limiter_ && limit.max_requests > 0;
}

void Router::limit(transport::Connection& connection, const transport::HttpRequest& request,
                   const config::RateLimit& limit, std::string_view scope, Limited done) {
    if (!limits(limit)) return done(std::nullopt, {});
    const std::string ip = client_ip(request["X-Forwarded-For"], request["X-Real-IP"],
                                     connection.remote_address(), limit.trust_hops);
    limiter_->check_async(
        std::string(scope) + ":" + ip, limit.max_requests,
        std::chrono::seconds(std::max<int64_t>(1, limit.window_seconds)), connection.worker(),
        [done = std::move(done)](core::RateDecision d) {
            if (d.unavailable) {
                // Fail closed (operations.md §5.1): a limiter that cannot count admits nobody.
                transport::HttpResponse r;
                r.status = 500;
                r.body =
                    R"({"error":"Internal Server Error","message":"Rate limiter backend unavailable."})";
                return done(std::move(r), {});
            }
            Headers headers{{"x-ratelimit-limit", std::to_string(d.limit)},
                            {"x-ratelimit-remaining", std::to_string(d.remaining)},
                            {"x-ratelimit-reset", std::to_string(d.reset_seconds)}};
            if (d.allowed) return done(std::nullopt, std::move(headers));
            transport::HttpResponse r;
            r.status = 429;
            r.body =
                R"({"error":"Too Many Requests","message":"Rate limit exceeded. Please try again later."})";
            r.headers = std::move(headers);
            r.headers.emplace_back("retry-after", std::to_string(d.reset_seconds));
            done(std::move(r), {});
        });
}

void Router::count_http(transport::Connection& connection, std::string_view path,
                        size_t request_bytes, const transport::HttpResponse& response) {
    // Per-app traffic: the app id is the segment after /apps/.
    if (path.rfind("/apps/", 0) != 0) return;
    std::string_view rest = path.substr(6);
    const std::string id(rest.substr(0, rest.find('/')));
    core::AppPtr app = engine_.apps().find_by_id(id);
    if (!app) return;
    core::TrafficCounters& traffic = app->traffic(connection.worker().index());
    traffic.http_calls.add();
    traffic.http_bytes_received.add(request_bytes);
    traffic.http_bytes_sent.add(response.body.size());
}

void Router::on_upgrade(transport::Connection& connection, const transport::HttpRequest& request,
                        transport::UpgradeResponder responder) {
    auto parsed = boost::urls::parse_origin_form(request.target());
    if (!parsed) return responder.reject(transport::UpgradeResponder::not_found());
    std::string path = parsed->path();
    std::string_view rest = path;
    if (!prefix_.empty()) {
        if (rest.rfind(prefix_, 0) != 0)
            return responder.reject(transport::UpgradeResponder::not_found());
        rest.remove_prefix(prefix_.size());
    }
    constexpr std::string_view kApp = "/app/";
    if (rest.rfind(kApp, 0) != 0) return responder.reject(transport::UpgradeResponder::not_found());
    rest.remove_prefix(kApp.size());
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.empty() || rest.find('/') != std::string_view::npos) {
        return responder.reject(transport::UpgradeResponder::not_found());
    }

    core::ConnectRequest connect;
    connect.app_key = std::string(rest);
    for (auto param : parsed->params()) {
        if (param.key == "protocol") {
            connect.protocol = param.value;
            connect.has_protocol = true;
        } else if (param.key == "client") {
            connect.client = param.value;
        } else if (param.key == "version") {
            connect.version = param.value;
        }
    }
    connect.origin = std::string(request[http::field::origin]);
    // Refused before the upgrade, so the client sees an HTTP 429 (operations.md §5.2).
    limit(connection, request, engine_.options().rate_limiter.websocket, "websocket_connect",
          [this, connect = std::move(connect), responder = std::move(responder)](
              std::optional<transport::HttpResponse> refusal, Headers) mutable {
              if (refusal) return responder.reject(std::move(*refusal));
              responder.accept(std::make_unique<core::Session>(engine_, std::move(connect)));
          });
}

void Router::on_http(transport::Connection& connection, transport::HttpRequest& request,
                     transport::HttpResponder responder) {
    transport::HttpResponse response;
    const bool preflight = request.method() == http::verb::options;
    std::optional<transport::HttpResponse> routed;
    // One boundary per request: a stray exception becomes a 500 with a log line.
    try {
        std::string_view target = request.target();
        size_t q = target.find('?');
        std::string_view path = target.substr(0, q);
        std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
        routed = preflight ? cors_.preflight(request)
                           : route(connection, request, path, query, responder);
        if (!routed) return;  // answered later: after an app lookup or a cluster-wide question
        response = std::move(*routed);
    } catch (const std::exception& e) {
        response = internal_error(request.method_string(),
                                  request.target().substr(0, request.target().find('?')), e);
    }
    finish(request, response);
    responder.send(std::move(response));
}

void Router::finish(const transport::HttpRequest& request,
                    transport::HttpResponse& response) const {
    // After the boundary, so that a 500 carries the CORS headers like every other error.
    if (request.method() != http::verb::options) cors_.decorate(request, response);
    // A HEAD response ends with its headers (RFC 9112 §6.3); body bytes would be read as the
    // start of the next response on a kept-alive connection.
    if (request.method() == http::verb::head) response.body.clear();
}

Reply Router::finish_later(transport::Connection& connection, const transport::HttpRequest& request,
                           std::string path, const transport::HttpResponder& responder,
                           Headers headers) {
    // The request object ends with on_http: keep what finishing needs.
    auto saved = std::make_shared<transport::HttpRequest>(request);
    saved->body().clear();
    const size_t body_size = request.body().size();
    return [this, saved, path = std::move(path), responder = transport::HttpResponder(responder),
            body_size, headers = std::move(headers),
            worker = &connection.worker()](transport::HttpResponse response) mutable {
        // The counters and the connection belong to the worker's thread.
        worker->post([this, saved, path, responder, body_size, headers,
                      response = std::move(response)]() mutable {
            for (auto& h : headers) response.headers.push_back(std::move(h));
            finish(*saved, response);
            count_http(responder.connection(), path, body_size, response);
            responder.send(std::move(response));
        });
    };
}

void Router::answer_api(transport::HttpRequest& request, std::string_view path,
                        std::string_view raw_path, std::string_view query,
                        transport::HttpResponder responder, Headers& headers, core::AppPtr app,
                        core::LookupStatus status) {
    std::optional<transport::HttpResponse> response;
    try {
        if (status == core::LookupStatus::Busy) {
            response = json_error(503, "Too many app lookups in flight; retry shortly");
            response->headers.emplace_back("Retry-After", "1");
        } else {
            // A single node with a local cache answers everything at once and needs no way to
            // reply later.
            Reply later = engine_.cluster() != nullptr || engine_.channel_cache().answers_later()
                              ? finish_later(responder.connection(), request, std::string(path),
                                             responder, headers)
                              : Reply();
            response = api_.handle(request, path, raw_path, query, app, std::move(later));
            if (!response) return;  // a cluster-wide answer: finish_later sends it
        }
    } catch (const std::exception& e) {
        response = internal_error(request.method_string(), path, e);
    }
    for (auto& h : headers) response->headers.push_back(std::move(h));
    count_http(responder.connection(), path, request.body().size(), *response);
    finish(request, *response);
    responder.send(std::move(*response));
}

std::optional<transport::HttpResponse> Router::api(transport::Connection& connection,
                                                   transport::HttpRequest& request,
                                                   std::string_view path, std::string_view raw_path,
                                                   std::string_view query,
                                                   const transport::HttpResponder& responder,
                                                   Headers limit_headers) {
    auto id = api_app_id(path);
    if (!id) return api_.handle(request, path, raw_path, query, nullptr, Reply());  // 400 or 404
    // The usual case, an app the cache knows: answered now, from the request as it is.
    if (core::AppPtr app = engine_.apps().find_fresh_by_id(*id)) {
        answer_api(request, path, raw_path, query, responder, limit_headers, std::move(app),
                   core::LookupStatus::Found);
        return std::nullopt;
    }
    // Otherwise the lookup may answer on a later loop turn (an app store miss), after this
    // request object is gone: the request and the routed strings move into the answer.
    auto saved = std::make_shared<transport::HttpRequest>(std::move(request));
    engine_.apps().find_by_id(
        *id, connection.worker(),
        [this, saved, responder = transport::HttpResponder(responder),
         headers = std::move(limit_headers), path = std::string(path),
         raw_path = std::string(raw_path),
         query = std::string(query)](core::AppPtr app, core::LookupStatus status) mutable {
            answer_api(*saved, path, raw_path, query, responder, headers, std::move(app), status);
        });
    return std::nullopt;
}

std::optional<transport::HttpResponse> Router::route(transport::Connection& connection,
                                                     transport::HttpRequest& request,
                                                     std::string_view raw_path,
                                                     std::string_view query,
                                                     const transport::HttpResponder& responder) {
    std::string_view path = raw_path;
    bool prefixed = true;
    if (!prefix_.empty()) {
        if (path.rfind(prefix_, 0) == 0) {
            path.remove_prefix(prefix_.size());
            if (path.empty()) path = "/";
        } else {
            // Probes keep working at the root when a prefix is set; the API does not.
            prefixed = false;
        }
    }
    // A single trailing slash is ignored for routing (operations.md §9.5); the signature
    // covers the path as received.
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    if (prefixed && path.rfind("/apps/", 0) == 0) {
        const config::RateLimit& api_limit = engine_.options().rate_limiter.api;
        if (!limits(api_limit))
            return api(connection, request, path, raw_path, query, responder, {});
        // A shared limiter answers on a later loop turn, after this request object is gone.
        std::string routed(path), raw(raw_path), params(query);
        auto saved = std::make_shared<transport::HttpRequest>(std::move(request));
        limit(connection, *saved, api_limit, "api",
              [this, saved, responder = transport::HttpResponder(responder),
               path = std::move(routed), raw_path = std::move(raw), query = std::move(params)](
                  std::optional<transport::HttpResponse> refusal, Headers headers) mutable {
                  if (refusal) {
                      finish(*saved, *refusal);
                      responder.send(std::move(*refusal));
                      return;
                  }
                  std::optional<transport::HttpResponse> answer;
                  try {
                      answer = api(responder.connection(), *saved, path, raw_path, query, responder,
                                   std::move(headers));
                  } catch (const std::exception& e) {
                      answer = internal_error(saved->method_string(), path, e);
                  }
                  if (!answer) return;  // answered after the app lookup
                  finish(*saved, *answer);
                  responder.send(std::move(*answer));
              });
        return std::nullopt;
    }
    const bool get = request.method() == http::verb::get || request.method() == http::verb::head;
    if (get) {
        if (path == "/") return plain_ok();
        if (path == "/live") return live();
        if (path == "/up") return up(engine_, nullptr);
        // /up/{appId} is one segment, decoded like the app id of the API routes; deeper paths
        // are unknown routes, not app ids with slashes.
        if (path.rfind("/up/", 0) == 0 && path.find('/', 4) == std::string_view::npos) {
            std::string id;
            if (percent_decode(path.substr(4), id)) {
                auto saved = std::make_shared<transport::HttpRequest>(std::move(request));
                engine_.apps().find_by_id(
                    id, connection.worker(),
                    [this, saved, responder = transport::HttpResponder(responder), id](
                        core::AppPtr app, core::LookupStatus status) mutable {
                        transport::HttpResponse response = up(engine_, &id, app, status);
                        finish(*saved, response);
                        responder.send(std::move(response));
                    });
                return std::nullopt;
            }
        }
        if (engine_.options().http_api.usage_enabled) {
            if (path == "/usage") return usage();
            if (path == "/stats" || path == "/operator/stats") return stats(engine_);
        }
    }
    return not_found();
}

}  // namespace sockudo::api
