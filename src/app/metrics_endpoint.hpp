#pragma once
// The metrics listener's handler: Prometheus text on /metrics, 404 elsewhere.

#include "core/engine.hpp"
#include "transport/connection.hpp"

namespace sockudo::app {

class MetricsEndpoint final : public transport::ConnectionHandler {
public:
    explicit MetricsEndpoint(core::Engine& engine) : engine_(engine) {}
    void on_http(transport::Connection& connection, transport::HttpRequest& request,
                 transport::HttpResponder responder) override;
    std::unique_ptr<transport::SessionBase> on_upgrade(transport::Connection&,
                                                       const transport::HttpRequest&) override {
        return nullptr;
    }

private:
    core::Engine& engine_;
};

}  // namespace sockudo::app
