#pragma once
// A complete, immutable WebSocket frame (header + payload) shared by every connection that
// sends it: a broadcast is serialised once and enqueued by reference.

#include <memory>
#include <string>
#include <string_view>

#include "protocol/ws_frame.hpp"

namespace sockudo::transport {

using Frame = std::string;
using FramePtr = std::shared_ptr<const Frame>;

inline FramePtr make_text_frame(std::string_view payload) {
    return std::make_shared<const Frame>(
        protocol::ws::encode_frame(protocol::ws::Opcode::Text, payload));
}

}  // namespace sockudo::transport
