#include "app/https_redirect.hpp"

namespace sockudo::app {

transport::HttpResponse HttpsRedirect::redirect(const transport::HttpRequest& request) const {
    std::string host(request[boost::beast::http::field::host]);
    // Drop the plain port from the Host header; keep IPv6 brackets intact.
    const size_t colon = host.rfind(':');
    if (colon != std::string::npos && host.find(']', colon) == std::string::npos) host.resize(colon);
    if (host.empty()) host = "localhost";
    if (https_port_ != 443) host += ":" + std::to_string(https_port_);
    transport::HttpResponse r;
    r.status = 301;
    r.content_type = "text/plain";
    r.body = "Moved Permanently";
    r.headers.emplace_back("Location", "https://" + host + std::string(request.target()));
    return r;
}

void HttpsRedirect::on_http(transport::Connection& /*connection*/, transport::HttpRequest& request,
                            transport::HttpResponder responder) {
    responder.send(redirect(request));
}

std::unique_ptr<transport::SessionBase> HttpsRedirect::on_upgrade(transport::Connection& /*connection*/,
                                                                  const transport::HttpRequest& request,
                                                                  transport::HttpResponse& rejection) {
    rejection = redirect(request);
    return nullptr;
}

}  // namespace sockudo::app
