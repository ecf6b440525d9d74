#include "app/metrics_endpoint.hpp"

#include <fmt/format.h>

namespace sockudo::app {

void MetricsEndpoint::on_http(transport::Connection& /*connection*/,
                              transport::HttpRequest& request,
                              transport::HttpResponder responder) {
    transport::HttpResponse response;
    std::string_view target = request.target();
    std::string_view path = target.substr(0, target.find('?'));
    if (path != "/metrics") {
        response.status = 404;
        response.content_type = "text/plain";
        response.body = "404 NOT FOUND";
        responder.send(std::move(response));
        return;
    }
    const std::string& prefix = engine_.options().metrics.prefix;
    response.content_type = "text/plain; version=0.0.4";
    fmt::format_to(std::back_inserter(response.body),
                   "# HELP {0}connected Number of currently connected sockets\n"
                   "# TYPE {0}connected gauge\n",
                   prefix);
    for (const auto& app : engine_.apps().all()) {
        fmt::format_to(std::back_inserter(response.body), "{}connected{{app_id=\"{}\"}} {}\n",
                       prefix, app->app.id, std::max<int64_t>(0, app->connections.load()));
    }
    responder.send(std::move(response));
}

}  // namespace sockudo::app
