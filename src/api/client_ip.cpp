#include "api/client_ip.hpp"

#include <boost/asio/ip/address.hpp>
#include <vector>

namespace sockudo::api {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_ip(std::string_view s) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(std::string(s), ec);
    return !ec;
}

}  // namespace

std::string client_ip(std::string_view forwarded_for, std::string_view real_ip,
                      std::string_view peer_address, int64_t trust_hops) {
    if (trust_hops > 0) {
        if (!forwarded_for.empty()) {
            std::vector<std::string_view> hops;
            size_t start = 0;
            while (start <= forwarded_for.size()) {
                size_t comma = forwarded_for.find(',', start);
                if (comma == std::string_view::npos) comma = forwarded_for.size();
                hops.push_back(trim(forwarded_for.substr(start, comma - start)));
                start = comma + 1;
            }
            // The entry added by the outermost trusted proxy is the client as that proxy saw it.
            const int64_t index =
                std::max<int64_t>(0, static_cast<int64_t>(hops.size()) - trust_hops);
            const std::string_view candidate = hops[static_cast<size_t>(index)];
            if (is_ip(candidate)) return std::string(candidate);
        }
        const std::string_view real = trim(real_ip);
        if (!real.empty() && is_ip(real)) return std::string(real);
    }
    if (!peer_address.empty()) return std::string(peer_address);
    return "unknown_ip";
}

}  // namespace sockudo::api
