#include "api/http_api.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "api/router.hpp"
#include "protocol/ascii.hpp"
#include "protocol/http_signing.hpp"

namespace sockudo::api {

namespace http = boost::beast::http;

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// One pass over the input; find_first_of would search the set once per input character.
bool is_encoded(std::string_view in, bool plus_is_space) {
    for (char c : in) {
        if (c == '%' || (c == '+' && plus_is_space)) return true;
    }
    return false;
}

bool decode(std::string_view in, std::string& out, bool plus_is_space) {
    if (!is_encoded(in, plus_is_space)) {
        out.assign(in);  // the usual case: nothing encoded
        return true;
    }
    out.clear();
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return false;
            int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

}  // namespace

bool percent_decode(std::string_view in, std::string& out) {
    return decode(in, out, false);
}

bool parse_query(std::string_view query, QueryParams& out) {
    out.reserve(out.size() + static_cast<size_t>(std::count(query.begin(), query.end(), '&')) + 1);
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        std::string key, value;
        if (!decode(pair.substr(0, eq), key, true)) return false;
        if (eq != std::string_view::npos && !decode(pair.substr(eq + 1), value, true)) return false;
        out.emplace_back(std::move(key), std::move(value));
    }
    return true;
}

const std::string* ApiRequest::param(std::string_view key) const {
    // Same rule as the signature (§11.2.2): keys compare lower-cased and the last occurrence
    // wins, so the value processed is always the value that was signed.
    const std::string* found = nullptr;
    for (const auto& [k, v] : query) {
        if (protocol::iequals_ascii(k, key)) found = &v;
    }
    return found;
}

std::optional<transport::HttpResponse> HttpApi::over_app_budget(const core::AppRuntime& app,
                                                                bool read, int64_t cost) {
    if (!engine_.options().rate_limiter.enforce_app_limits) return std::nullopt;
    const auto& configured = read ? app.app().limits.max_read_requests_per_second
                                  : app.app().limits.max_backend_events_per_second;
    if (!configured || *configured <= 0) return std::nullopt;  // -1 (or unset) disables
    const core::RateDecision d = app_budgets_.check((read ? "read:" : "backend:") + app.app().id,
                                                    *configured, std::chrono::seconds(1), cost);
    if (d.allowed) return std::nullopt;
    transport::HttpResponse r;
    r.status = 429;
    r.body = R"({"error":"Too many requests.","code":429})";
    r.headers = {{"Retry-After", std::to_string(d.reset_seconds)},
                 {"X-RateLimit-Limit", std::to_string(d.limit)},
                 {"X-RateLimit-Remaining", std::to_string(d.remaining)}};
    return r;
}

std::optional<std::string> api_app_id(std::string_view path) {
    std::string_view rest = path.substr(std::string_view("/apps/").size());
    std::string id;
    if (!percent_decode(rest.substr(0, rest.find('/')), id) || id.empty()) return std::nullopt;
    return id;
}

// Status 0 never reaches a client: it marks a response that comes later through `reply`.
transport::HttpResponse deferred() {
    transport::HttpResponse r;
    r.status = 0;
    return r;
}

transport::HttpResponse HttpApi::with_cluster(ApiRequest& request, core::ClusterQueryArgs args,
                                              Build build) {
    return with_cluster(request.app, request.reply, std::move(args), std::move(build));
}

transport::HttpResponse HttpApi::with_cluster(const core::AppPtr& app, const Reply& reply,
                                              core::ClusterQueryArgs args, Build build) {
    core::ClusterLink* link = engine_.cluster();
    if (link == nullptr || !link->has_peers() || !reply) return build(nullptr);
    link->query(*app, std::move(args),
                [reply, build = std::move(build)](core::ClusterAnswer answer) {
                    transport::HttpResponse r;
                    try {
                        r = build(&answer);
                    } catch (const std::exception&) {
                        r = json_error(500, "Internal server error");
                    }
                    if (!answer.complete) r.headers.emplace_back("X-Sockudo-Partial", "1");
                    reply(std::move(r));
                });
    return deferred();
}

std::optional<transport::HttpResponse> HttpApi::handle(transport::HttpRequest& request,
                                                       std::string_view path,
                                                       std::string_view raw_path,
                                                       std::string_view query,
                                                       const core::AppPtr& app, Reply reply) {
    transport::HttpResponse response = route(request, path, raw_path, query, app, std::move(reply));
    if (response.status == 0) return std::nullopt;
    return response;
}

transport::HttpResponse HttpApi::route(transport::HttpRequest& request, std::string_view path,
                                       std::string_view raw_path, std::string_view query,
                                       const core::AppPtr& app, Reply reply) {
    // /apps/{id}/rest...
    std::vector<std::string> segments;
    segments.reserve(4);  // the longest route: {id}/users/{user}/terminate_connections
    std::string_view rest = path.substr(std::string_view("/apps/").size());
    while (!rest.empty()) {
        size_t slash = rest.find('/');
        std::string segment;
        if (!percent_decode(rest.substr(0, slash), segment)) {
            return json_error(400, "Malformed path");
        }
        segments.push_back(std::move(segment));
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    if (segments.empty() || segments[0].empty()) return json_error(404, "Unknown route");
    if (!app) return json_error(404, "App " + segments[0] + " does not exist");

    segments.erase(segments.begin());  // the app id, resolved already
    ApiRequest api{request, app, std::move(segments), {}, std::move(reply)};
    if (!parse_query(query, api.query)) return json_error(400, "Malformed query string");

    protocol::SignedRequest signed_request{request.method_string(), raw_path, api.query,
                                           request.body()};
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    auto auth =
        protocol::verify_signed_request(signed_request, app->app().key, app->app().secret, now);
    if (auth != protocol::HttpAuthError::None) {
        return json_error(401, protocol::describe(auth));
    }
    if (!app->app().enabled) return json_error(403, "The app is disabled");

    const auto& s = api.segments;
    const auto method = request.method();
    auto only = [&](http::verb verb, auto&& handler) -> transport::HttpResponse {
        if (method != verb) return json_error(405, "Method not allowed");
        return handler();
    };
    if (s.size() == 1 && s[0] == "events")
        return only(http::verb::post, [&] { return events(api); });
    if (s.size() == 1 && s[0] == "batch_events") {
        return only(http::verb::post, [&] { return batch_events(api); });
    }
    if (s.size() >= 1 && s[0] == "channels" && method == http::verb::get) {
        if (auto limited = over_app_budget(*app, true, 1)) return std::move(*limited);
    }
    if (s.size() == 1 && s[0] == "channels")
        return only(http::verb::get, [&] { return channels(api); });
    if (s.size() == 2 && s[0] == "channels") {
        return only(http::verb::get, [&] { return channel(api, s[1]); });
    }
    if (s.size() == 3 && s[0] == "channels" && s[2] == "users") {
        return only(http::verb::get, [&] { return channel_users(api, s[1]); });
    }
    if (s.size() == 3 && s[0] == "users" && s[2] == "terminate_connections") {
        return only(http::verb::post, [&] { return terminate(api, s[1]); });
    }
    return json_error(404, "Unknown route");
}

}  // namespace sockudo::api
