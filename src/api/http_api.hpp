#pragma once
// The signed HTTP API under /apps/{app_id}/… (protocol-v1 §11): authentication, then one
// handler per route group (events, channels, users).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/engine.hpp"
#include "core/rate_limiter.hpp"
#include "transport/http_types.hpp"

namespace sockudo::api {

using QueryParams = std::vector<std::pair<std::string, std::string>>;
// Answers a request later, from any thread (a cluster-wide question came back).
using Reply = std::function<void(transport::HttpResponse)>;

// Everything a route handler needs once the request is authenticated.
struct ApiRequest {
    transport::HttpRequest& http;
    core::AppPtr app;
    std::vector<std::string> segments;  // decoded path segments after /apps/{id}
    QueryParams query;
    Reply reply;
    const std::string* param(std::string_view key) const;
};

class HttpApi {
public:
    explicit HttpApi(core::Engine& engine) : engine_(engine) {}

    // `path` is the routed path starting with /apps/ (prefix removed, trailing slash kept as
    // received), `raw_path` the request-line path used for the signature, `app` the app looked
    // up by the id in the path (null: unknown). Nothing is returned when the answer needs the
    // other nodes of a cluster: `reply` gets it then.
    std::optional<transport::HttpResponse> handle(transport::HttpRequest& request,
                                                  std::string_view path, std::string_view raw_path,
                                                  std::string_view query, const core::AppPtr& app,
                                                  Reply reply);

private:
    transport::HttpResponse route(transport::HttpRequest& request, std::string_view path,
                                  std::string_view raw_path, std::string_view query,
                                  const core::AppPtr& app, Reply reply);
    transport::HttpResponse events(ApiRequest& request);
    transport::HttpResponse batch_events(ApiRequest& request);
    transport::HttpResponse channels(ApiRequest& request);
    transport::HttpResponse channel(ApiRequest& request, const std::string& name);
    transport::HttpResponse channel_users(ApiRequest& request, const std::string& name);
    transport::HttpResponse terminate(ApiRequest& request, const std::string& user_id);

    // Per-app backend (publish) and read budgets per second, when enforcement is on; returns
    // the 429 response when the request is over budget.
    std::optional<transport::HttpResponse> over_app_budget(const core::AppRuntime& app, bool read,
                                                           int64_t cost);

    // With other live nodes, asks them (`args`) and answers with build(&their answer) later
    // (the deferred marker is returned now); on a single node answers build(nullptr) at once.
    // An incomplete answer is still a success, flagged with X-Sockudo-Partial: 1.
    using Build = std::function<transport::HttpResponse(const core::ClusterAnswer*)>;
    transport::HttpResponse with_cluster(ApiRequest& request, core::ClusterQueryArgs args,
                                         Build build);
    transport::HttpResponse with_cluster(const core::AppPtr& app, const Reply& reply,
                                         core::ClusterQueryArgs args, Build build);
    // GET /channels/{name} once the cached event (when asked for) is known.
    transport::HttpResponse channel_answer(const core::AppPtr& app, const Reply& reply,
                                           const std::string& name,
                                           const std::vector<std::string>& info,
                                           std::optional<core::CachedEvent> cached);

    core::Engine& engine_;
    core::MemoryRateLimiter app_budgets_;
};

// The marker of an answer that comes later through the request's Reply (status 0).
transport::HttpResponse deferred();

// Distinct presence members of the channel: this node's and, in a cluster, the other nodes'.
uint64_t user_count(const core::AppRuntime& app, core::ClusterLink* link,
                    const std::string& channel);

// The decoded app id of a path under /apps/; nullopt when it is empty or malformed.
std::optional<std::string> api_app_id(std::string_view path);
// Percent-decodes a path segment; false when it is malformed.
bool percent_decode(std::string_view in, std::string& out);
// Splits and form-decodes a query string (`+` is a space).
bool parse_query(std::string_view query, QueryParams& out);

}  // namespace sockudo::api
