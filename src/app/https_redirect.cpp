#include "app/https_redirect.hpp"

#include <cctype>
#include <optional>
#include <string_view>

namespace sockudo::app {

namespace {

// The host part of a Host header ("example.com", "[::1]"), or nothing when it is not a plain
// host[:port]: anything else would let the header smuggle a path or credentials into the
// Location we send back.
std::optional<std::string_view> host_without_port(std::string_view header) {
    std::string_view host = header;
    std::string_view port;
    if (host.starts_with('[')) {
        const size_t close = host.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        port = host.substr(close + 1);
        host = host.substr(0, close + 1);
        for (char c : host.substr(1, host.size() - 2)) {
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
                return std::nullopt;
        }
    } else {
        const size_t colon = host.find(':');
        if (colon != std::string_view::npos) {
            port = host.substr(colon);
            host = host.substr(0, colon);
        }
        for (char c : host) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
                return std::nullopt;
            }
        }
    }
    if (host.empty() || host == "[]") return std::nullopt;
    if (!port.empty()) {
        if (port.size() < 2 || port.size() > 6 || port.front() != ':') return std::nullopt;
        for (char c : port.substr(1)) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        }
    }
    return host;
}

}  // namespace

transport::HttpResponse HttpsRedirect::redirect(const transport::HttpRequest& request) const {
    transport::HttpResponse r;
    r.content_type = "text/plain";
    r.close = true;  // a plaintext client has nothing more to do here
    const auto host = host_without_port(request[boost::beast::http::field::host]);
    if (!host) {
        r.status = 400;
        r.body = "Bad Request: missing or invalid Host header";
        return r;
    }
    std::string_view target = request.target();
    if (!target.starts_with('/')) target = "/";  // absolute-form or "*": send to the root
    // 308 rather than 301 keeps the method and body, so a signed POST to the API is repeated
    // as it was sent.
    r.status = 308;
    r.body = "Permanent Redirect";
    r.headers.emplace_back("Location", "https://" + std::string(*host) + ":" +
                                           std::to_string(https_port_) + std::string(target));
    return r;
}

void HttpsRedirect::on_http(transport::Connection& /*connection*/, transport::HttpRequest& request,
                            transport::HttpResponder responder) {
    responder.send(redirect(request));
}

void HttpsRedirect::on_upgrade(transport::Connection& /*connection*/,
                               const transport::HttpRequest& request,
                               transport::UpgradeResponder responder) {
    responder.reject(redirect(request));
}

}  // namespace sockudo::app
