// Decodes arbitrary bytes as a stream of client WebSocket frames, as the transport does.
#include <cstdint>
#include <cstring>
#include <vector>

#include "protocol/ws_frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sockudo::protocol::ws;
    std::vector<uint8_t> buf(data, data + size);
    size_t offset = 0;
    while (offset < buf.size()) {
        Frame frame;
        size_t consumed = 0;
        auto status =
            decode_frame(buf.data() + offset, buf.size() - offset, 64 * 1024, frame, consumed);
        if (status != DecodeStatus::Complete) break;
        if (consumed == 0 || consumed > buf.size() - offset) __builtin_trap();
        if (frame.payload.size() > 64 * 1024) __builtin_trap();
        offset += consumed;
    }
    return 0;
}
