#pragma once
// The plain-HTTP listener that sends every request to the TLS port (ssl.redirect_http).

#include <cstdint>
#include <string>

#include "transport/connection.hpp"

namespace sockudo::app {

class HttpsRedirect final : public transport::ConnectionHandler {
public:
    explicit HttpsRedirect(uint16_t https_port) : https_port_(https_port) {}
    void on_http(transport::Connection& connection, transport::HttpRequest& request,
                 transport::HttpResponder responder) override;
    void on_upgrade(transport::Connection& connection, const transport::HttpRequest& request,
                    transport::UpgradeResponder responder) override;

private:
    transport::HttpResponse redirect(const transport::HttpRequest& request) const;
    uint16_t https_port_;
};

}  // namespace sockudo::app
