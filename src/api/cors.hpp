#pragma once
// CORS for the main listener (operations.md §9.6, protocol-v1 §11.11).

#include "config/options.hpp"
#include "transport/http_types.hpp"

namespace sockudo::api {

class Cors {
public:
    explicit Cors(const config::CorsOptions& options);
    // Adds the Access-Control-* headers a response to `request` should carry.
    void decorate(const transport::HttpRequest& request, transport::HttpResponse& response) const;
    // The 204 answer to a preflight OPTIONS request.
    transport::HttpResponse preflight(const transport::HttpRequest& request) const;

private:
    bool any_origin_ = false;
    bool credentials_ = false;
    std::vector<std::string> origins_;
    std::string methods_;
    std::string headers_;
};

}  // namespace sockudo::api
