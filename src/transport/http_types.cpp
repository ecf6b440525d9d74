#include "transport/http_types.hpp"

#include <charconv>

namespace sockudo::transport {

std::string_view status_reason(int status) {
    switch (status) {
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 411:
            return "Length Required";
        case 413:
            return "Payload Too Large";
        case 414:
            return "URI Too Long";
        case 422:
            return "Unprocessable Entity";
        case 426:
            return "Upgrade Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Unknown";
    }
}

namespace {

void append_number(std::string& out, uint64_t value) {
    char digits[20];
    const auto result = std::to_chars(digits, digits + sizeof(digits), value);
    out.append(digits, result.ptr);
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

// Plain appends: this runs once per API response, where a format parser showed in profiles.
std::string serialize_response(const HttpResponse& response, bool keep_alive) {
    std::string out;
    out.reserve(160 + response.body.size());
    out.append("HTTP/1.1 ");
    append_number(out, static_cast<uint64_t>(response.status));
    out.append(" ").append(status_reason(response.status)).append("\r\n");
    if (!response.content_type.empty()) append_header(out, "Content-Type", response.content_type);
    out.append("Content-Length: ");
    append_number(out, response.body.size());
    out.append("\r\n");
    for (const auto& [name, value] : response.headers) append_header(out, name, value);
    out.append(keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
    out.append(response.body);
    return out;
}

}  // namespace sockudo::transport
