#include "transport/http_types.hpp"

#include <fmt/format.h>

namespace sockudo::transport {

std::string_view status_reason(int status) {
    switch (status) {
        case 101: return "Switching Protocols";
        case 200: return "OK";
        case 204: return "No Content";
        case 301: return "Moved Permanently";
        case 308: return "Permanent Redirect";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 411: return "Length Required";
        case 413: return "Payload Too Large";
        case 414: return "URI Too Long";
        case 422: return "Unprocessable Entity";
        case 426: return "Upgrade Required";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "Unknown";
    }
}

std::string serialize_response(const HttpResponse& response, bool keep_alive) {
    std::string out;
    out.reserve(160 + response.body.size());
    fmt::format_to(std::back_inserter(out), "HTTP/1.1 {} {}\r\n", response.status,
                   status_reason(response.status));
    if (!response.content_type.empty()) {
        fmt::format_to(std::back_inserter(out), "Content-Type: {}\r\n", response.content_type);
    }
    fmt::format_to(std::back_inserter(out), "Content-Length: {}\r\n", response.body.size());
    for (const auto& [name, value] : response.headers) {
        fmt::format_to(std::back_inserter(out), "{}: {}\r\n", name, value);
    }
    out.append(keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
    out.append(response.body);
    return out;
}

}  // namespace sockudo::transport
