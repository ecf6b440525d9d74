#pragma once
// The main listener's request handler: WebSocket upgrades on {path_prefix}/app/{key} become
// core sessions; everything else is routed to the operational endpoints and the HTTP API.

#include <memory>
#include <string>

#include "api/cors.hpp"
#include "api/http_api.hpp"
#include "core/engine.hpp"
#include "transport/connection.hpp"

namespace sockudo::api {

class Router final : public transport::ConnectionHandler {
public:
    explicit Router(core::Engine& engine);

    void on_http(transport::Connection& connection, transport::HttpRequest& request,
                 transport::HttpResponder responder) override;
    std::unique_ptr<transport::SessionBase> on_upgrade(transport::Connection& connection,
                                                       const transport::HttpRequest& request) override;

private:
    transport::HttpResponse route(transport::Connection& connection,
                                  transport::HttpRequest& request, std::string_view path,
                                  std::string_view query);

    core::Engine& engine_;
    HttpApi api_;
    Cors cors_;
    std::string prefix_;  // path_prefix without a trailing slash ("" for "/")
};

// The JSON error body of the HTTP API: {"error": message, "code": code, "status": status}.
transport::HttpResponse json_error(int status, std::string_view code, std::string_view message);

}  // namespace sockudo::api
