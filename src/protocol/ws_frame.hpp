#pragma once
// RFC 6455 framing: encoding of server frames and in-place decoding of client frames.
// Pure functions over byte buffers; the transport owns the buffers.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockudo::protocol::ws {

enum class Opcode : uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

inline bool is_control(Opcode op) {
    return (static_cast<uint8_t>(op) & 0x8) != 0;
}

// Largest header a server frame needs (2 + 8 bytes extended length, no mask).
constexpr size_t kMaxServerHeader = 10;

// Writes the header of an unmasked, final frame into `out` (>= kMaxServerHeader bytes).
// Returns the header length.
size_t write_header(uint8_t* out, Opcode opcode, size_t payload_length);

// A complete unmasked server frame: header followed by the payload.
std::string encode_frame(Opcode opcode, std::string_view payload);

// A close frame carrying `code` and a reason truncated to the 123 bytes a control frame allows.
std::string encode_close(uint16_t code, std::string_view reason);

struct Frame {
    Opcode opcode = Opcode::Text;
    bool fin = true;
    std::string_view payload;  // points into the decoded buffer, already unmasked
};

enum class DecodeStatus {
    NeedMore,       // the buffer holds an incomplete frame
    Complete,       // `frame` and `consumed` are set
    ProtocolError,  // close with 1002
    TooBig,         // payload over the limit: close with 1009
};

// Decodes the first frame of buf[0, length). Client frames must be masked (RFC 6455 §5.1);
// the payload is unmasked in place. Control frames must be final and at most 125 bytes.
DecodeStatus decode_frame(uint8_t* buf, size_t length, size_t max_payload, Frame& frame,
                          size_t& consumed);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + RFC GUID)).
std::string accept_key(std::string_view sec_websocket_key);

// Close codes a peer may legally send in a close frame (RFC 6455 §7.4).
bool is_valid_peer_close_code(uint16_t code);

}  // namespace sockudo::protocol::ws
