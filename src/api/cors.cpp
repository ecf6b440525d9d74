#include "api/cors.hpp"

#include "config/origin_pattern.hpp"

namespace sockudo::api {

namespace http = boost::beast::http;

namespace {
std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        out += item;
    }
    return out;
}
}  // namespace

Cors::Cors(const config::CorsOptions& options)
    : origins_(options.origin),
      methods_(join(options.methods)),
      headers_(join(options.allowed_headers)) {
    for (const auto& o : options.origin) {
        if (o == "*" || o == "any") any_origin_ = true;
    }
    // A wildcard origin with credentials is rejected by browsers: credentials go off.
    credentials_ = options.credentials && !any_origin_ && !options.origin.empty();
}

void Cors::decorate(const transport::HttpRequest& request,
                    transport::HttpResponse& response) const {
    if (any_origin_) {
        response.headers.emplace_back("Access-Control-Allow-Origin", "*");
        return;
    }
    auto origin = request[http::field::origin];
    if (origin.empty() || origins_.empty()) return;
    if (!config::origin_allowed(origins_, origin)) return;
    response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    response.headers.emplace_back("Vary", "Origin");
    if (credentials_) response.headers.emplace_back("Access-Control-Allow-Credentials", "true");
}

transport::HttpResponse Cors::preflight(const transport::HttpRequest& request) const {
    transport::HttpResponse response;
    response.status = 204;
    response.content_type = {};
    decorate(request, response);
    response.headers.emplace_back("Access-Control-Allow-Methods", methods_);
    response.headers.emplace_back("Access-Control-Allow-Headers", headers_);
    response.headers.emplace_back("Access-Control-Max-Age", "86400");
    return response;
}

}  // namespace sockudo::api
