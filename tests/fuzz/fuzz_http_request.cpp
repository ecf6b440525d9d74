// Parses arbitrary bytes as HTTP/1.1 requests with the limits the transport uses.
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace http = boost::beast::http;
    size_t offset = 0;
    while (offset < size) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(16 * 1024);
        parser.body_limit(1024 * 1024);
        parser.eager(true);
        boost::system::error_code ec;
        size_t used = parser.put(boost::asio::buffer(data + offset, size - offset), ec);
        if (ec || used == 0 || !parser.is_done()) break;
        auto request = parser.release();
        (void)request.target();
        offset += used;
    }
    return 0;
}
