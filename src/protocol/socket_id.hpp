#pragma once
#include <string_view>

namespace sockudo::protocol {

// `^\d+\.\d+$`, the shape server SDKs check before signing (protocol-v1 §3.4).
inline bool is_valid_socket_id(std::string_view id) {
    size_t dot = id.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == id.size()) return false;
    for (size_t i = 0; i < id.size(); ++i) {
        if (i == dot) continue;
        if (id[i] < '0' || id[i] > '9') return false;
    }
    return true;
}

}  // namespace sockudo::protocol
