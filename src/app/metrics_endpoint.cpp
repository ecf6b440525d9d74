#include "app/metrics_endpoint.hpp"

namespace sockudo::app {

void MetricsEndpoint::on_http(transport::Connection& /*connection*/,
                              transport::HttpRequest& request, transport::HttpResponder responder) {
    transport::HttpResponse response;
    std::string_view target = request.target();
    std::string_view path = target.substr(0, target.find('?'));
    if (path != "/metrics" || request.method() != boost::beast::http::verb::get) {
        response.status = path == "/metrics" ? 405 : 404;
        response.content_type = "text/plain";
        response.body = path == "/metrics" ? "405 METHOD NOT ALLOWED" : "404 NOT FOUND";
        responder.send(std::move(response));
        return;
    }
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics_.scrape();
    responder.send(std::move(response));
}

}  // namespace sockudo::app
