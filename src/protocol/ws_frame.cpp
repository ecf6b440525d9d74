#include "protocol/ws_frame.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>

namespace sockudo::protocol::ws {

size_t write_header(uint8_t* out, Opcode opcode, size_t payload_length) {
    out[0] = static_cast<uint8_t>(0x80 | static_cast<uint8_t>(opcode));
    if (payload_length < 126) {
        out[1] = static_cast<uint8_t>(payload_length);
        return 2;
    }
    if (payload_length <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<uint8_t>(payload_length >> 8);
        out[3] = static_cast<uint8_t>(payload_length);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i) {
        out[2 + i] = static_cast<uint8_t>(static_cast<uint64_t>(payload_length) >> (56 - 8 * i));
    }
    return 10;
}

std::string encode_frame(Opcode opcode, std::string_view payload) {
    uint8_t header[kMaxServerHeader];
    size_t header_length = write_header(header, opcode, payload.size());
    std::string frame;
    frame.reserve(header_length + payload.size());
    frame.append(reinterpret_cast<const char*>(header), header_length);
    frame.append(payload);
    return frame;
}

std::string encode_close(uint16_t code, std::string_view reason) {
    if (reason.size() > 123) reason = reason.substr(0, 123);
    std::string payload;
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xFF));
    payload.append(reason);
    return encode_frame(Opcode::Close, payload);
}

namespace {

bool known_opcode(uint8_t op) {
    return op == 0x0 || op == 0x1 || op == 0x2 || op == 0x8 || op == 0x9 || op == 0xA;
}

void unmask(uint8_t* data, size_t length, const uint8_t mask[4]) {
    // Word-at-a-time unmasking: payloads of a few hundred bytes dominate, so this matters.
    uint32_t mask32;
    std::memcpy(&mask32, mask, 4);
    uint64_t mask64 = (static_cast<uint64_t>(mask32) << 32) | mask32;
    size_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t word;
        std::memcpy(&word, data + i, 8);
        word ^= mask64;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < length; ++i) data[i] ^= mask[i & 3];
}

}  // namespace

DecodeStatus decode_frame(uint8_t* buf, size_t length, size_t max_payload, Frame& frame,
                          size_t& consumed) {
    if (length < 2) return DecodeStatus::NeedMore;
    const uint8_t b0 = buf[0];
    const uint8_t b1 = buf[1];
    const bool fin = (b0 & 0x80) != 0;
    if ((b0 & 0x70) != 0) return DecodeStatus::ProtocolError;  // no extension negotiated
    const uint8_t op = b0 & 0x0F;
    if (!known_opcode(op)) return DecodeStatus::ProtocolError;
    const bool masked = (b1 & 0x80) != 0;
    if (!masked) return DecodeStatus::ProtocolError;
    uint64_t payload_length = b1 & 0x7F;
    size_t pos = 2;
    if (payload_length == 126) {
        if (length < 4) return DecodeStatus::NeedMore;
        payload_length = (static_cast<uint64_t>(buf[2]) << 8) | buf[3];
        if (payload_length < 126) return DecodeStatus::ProtocolError;  // not minimal
        pos = 4;
    } else if (payload_length == 127) {
        if (length < 10) return DecodeStatus::NeedMore;
        payload_length = 0;
        for (int i = 0; i < 8; ++i) payload_length = (payload_length << 8) | buf[2 + i];
        if (payload_length >> 63) return DecodeStatus::ProtocolError;
        if (payload_length <= 0xFFFF) return DecodeStatus::ProtocolError;  // not minimal
        pos = 10;
    }
    const bool control = (op & 0x8) != 0;
    if (control && (!fin || payload_length > 125)) return DecodeStatus::ProtocolError;
    if (payload_length > max_payload) return DecodeStatus::TooBig;
    if (length < pos + 4) return DecodeStatus::NeedMore;
    uint8_t mask[4];
    std::memcpy(mask, buf + pos, 4);
    pos += 4;
    if (length - pos < payload_length) return DecodeStatus::NeedMore;
    uint8_t* payload = buf + pos;
    unmask(payload, payload_length, mask);
    frame.opcode = static_cast<Opcode>(op);
    frame.fin = fin;
    frame.payload = std::string_view(reinterpret_cast<const char*>(payload), payload_length);
    consumed = pos + payload_length;
    return DecodeStatus::Complete;
}

std::string accept_key(std::string_view sec_websocket_key) {
    static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string input;
    input.reserve(sec_websocket_key.size() + kGuid.size());
    input.append(sec_websocket_key);
    input.append(kGuid);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
    int n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
}

bool is_valid_peer_close_code(uint16_t code) {
    if (code >= 3000 && code <= 4999) return true;
    switch (code) {
        case 1000:
        case 1001:
        case 1002:
        case 1003:
        case 1007:
        case 1008:
        case 1009:
        case 1010:
        case 1011:
            return true;
        default:
            return false;
    }
}

}  // namespace sockudo::protocol::ws
