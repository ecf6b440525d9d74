#pragma once
// The metrics listener's handler: Prometheus text on /metrics, 404 elsewhere.

#include "metrics/server_metrics.hpp"
#include "transport/connection.hpp"

namespace sockudo::app {

class MetricsEndpoint final : public transport::ConnectionHandler {
public:
    explicit MetricsEndpoint(const metrics::ServerMetrics& metrics) : metrics_(metrics) {}
    void on_http(transport::Connection& connection, transport::HttpRequest& request,
                 transport::HttpResponder responder) override;
    void on_upgrade(transport::Connection&, const transport::HttpRequest&,
                    transport::UpgradeResponder responder) override {
        responder.reject(transport::UpgradeResponder::not_found());
    }

private:
    const metrics::ServerMetrics& metrics_;
};

}  // namespace sockudo::app
