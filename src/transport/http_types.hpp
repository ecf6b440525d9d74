#pragma once
// What the transport hands to the HTTP layer above it, and what it expects back.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sockudo::transport {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct HttpResponse {
    int status = 200;
    std::string_view content_type = "application/json";  // always a literal
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool close = false;  // close the connection after this response
};

// Serialises the status line, headers and body of an HTTP/1.1 response.
std::string serialize_response(const HttpResponse& response, bool keep_alive);

std::string_view status_reason(int status);

}  // namespace sockudo::transport
