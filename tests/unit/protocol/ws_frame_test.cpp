#include "protocol/ws_frame.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace sockudo::protocol::ws;

namespace {

// A client frame as a browser would send it: masked with `mask`.
std::vector<uint8_t> client_frame(Opcode op, std::string_view payload, bool fin = true,
                                  uint32_t mask = 0x37fa213d) {
    std::vector<uint8_t> out;
    out.push_back(static_cast<uint8_t>((fin ? 0x80 : 0) | static_cast<uint8_t>(op)));
    if (payload.size() < 126) {
        out.push_back(static_cast<uint8_t>(0x80 | payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        out.push_back(0x80 | 126);
        out.push_back(static_cast<uint8_t>(payload.size() >> 8));
        out.push_back(static_cast<uint8_t>(payload.size()));
    } else {
        out.push_back(0x80 | 127);
        for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(payload.size() >> (8 * i)));
    }
    uint8_t m[4] = {static_cast<uint8_t>(mask >> 24), static_cast<uint8_t>(mask >> 16),
                    static_cast<uint8_t>(mask >> 8), static_cast<uint8_t>(mask)};
    out.insert(out.end(), m, m + 4);
    for (size_t i = 0; i < payload.size(); ++i) {
        out.push_back(static_cast<uint8_t>(payload[i]) ^ m[i % 4]);
    }
    return out;
}

}  // namespace

TEST(WsFrame, EncodesSmallTextFrame) {
    std::string f = encode_frame(Opcode::Text, "Hello");
    ASSERT_EQ(f.size(), 7u);
    EXPECT_EQ(static_cast<uint8_t>(f[0]), 0x81);
    EXPECT_EQ(static_cast<uint8_t>(f[1]), 5);
    EXPECT_EQ(f.substr(2), "Hello");
}

TEST(WsFrame, EncodesExtendedLengths) {
    std::string medium(300, 'x');
    std::string f = encode_frame(Opcode::Text, medium);
    EXPECT_EQ(static_cast<uint8_t>(f[1]), 126);
    EXPECT_EQ((static_cast<uint8_t>(f[2]) << 8) | static_cast<uint8_t>(f[3]), 300);
    EXPECT_EQ(f.size(), 4 + 300u);
    std::string large(70000, 'y');
    std::string g = encode_frame(Opcode::Binary, large);
    EXPECT_EQ(static_cast<uint8_t>(g[0]), 0x82);
    EXPECT_EQ(static_cast<uint8_t>(g[1]), 127);
    EXPECT_EQ(g.size(), 10 + 70000u);
}

TEST(WsFrame, EncodesCloseWithCodeAndTruncatedReason) {
    std::string f = encode_close(4001, std::string(200, 'r'));
    EXPECT_EQ(static_cast<uint8_t>(f[0]), 0x88);
    EXPECT_EQ(static_cast<uint8_t>(f[1]), 125);  // 2 code bytes + 123 reason bytes
    EXPECT_EQ((static_cast<uint8_t>(f[2]) << 8) | static_cast<uint8_t>(f[3]), 4001);
}

TEST(WsFrame, DecodesMaskedFrameInPlace) {
    for (size_t len : {0u, 1u, 7u, 8u, 9u, 125u, 126u, 1000u, 70000u}) {
        std::string payload(len, 'a');
        for (size_t i = 0; i < len; ++i) payload[i] = static_cast<char>('a' + i % 26);
        auto bytes = client_frame(Opcode::Text, payload);
        Frame frame;
        size_t consumed = 0;
        ASSERT_EQ(decode_frame(bytes.data(), bytes.size(), 1 << 20, frame, consumed),
                  DecodeStatus::Complete)
            << len;
        EXPECT_EQ(consumed, bytes.size());
        EXPECT_EQ(frame.opcode, Opcode::Text);
        EXPECT_TRUE(frame.fin);
        EXPECT_EQ(frame.payload, payload);
    }
}

TEST(WsFrame, NeedsMoreForEveryTruncation) {
    auto bytes = client_frame(Opcode::Text, std::string(300, 'z'));
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
        auto copy = bytes;
        Frame frame;
        size_t consumed = 0;
        EXPECT_EQ(decode_frame(copy.data(), cut, 1 << 20, frame, consumed), DecodeStatus::NeedMore)
            << cut;
    }
}

TEST(WsFrame, RejectsUnmaskedClientFrames) {
    std::string f = encode_frame(Opcode::Text, "hi");  // server frames are unmasked
    Frame frame;
    size_t consumed = 0;
    EXPECT_EQ(decode_frame(reinterpret_cast<uint8_t*>(f.data()), f.size(), 1024, frame, consumed),
              DecodeStatus::ProtocolError);
}

TEST(WsFrame, RejectsReservedBitsAndUnknownOpcodes) {
    auto bytes = client_frame(Opcode::Text, "x");
    bytes[0] |= 0x40;  // RSV1 without a negotiated extension
    Frame frame;
    size_t consumed = 0;
    EXPECT_EQ(decode_frame(bytes.data(), bytes.size(), 1024, frame, consumed),
              DecodeStatus::ProtocolError);
    auto other = client_frame(Opcode::Text, "x");
    other[0] = 0x83;  // opcode 3 is reserved
    EXPECT_EQ(decode_frame(other.data(), other.size(), 1024, frame, consumed),
              DecodeStatus::ProtocolError);
}

TEST(WsFrame, RejectsFragmentedOrLongControlFrames) {
    auto fragmented_ping = client_frame(Opcode::Ping, "p", /*fin=*/false);
    Frame frame;
    size_t consumed = 0;
    EXPECT_EQ(decode_frame(fragmented_ping.data(), fragmented_ping.size(), 1024, frame, consumed),
              DecodeStatus::ProtocolError);
    auto long_ping = client_frame(Opcode::Ping, std::string(126, 'p'));
    EXPECT_EQ(decode_frame(long_ping.data(), long_ping.size(), 1024, frame, consumed),
              DecodeStatus::ProtocolError);
}

TEST(WsFrame, ReportsTooBigBeforeThePayloadArrives) {
    auto bytes = client_frame(Opcode::Text, std::string(5000, 'q'));
    Frame frame;
    size_t consumed = 0;
    // Only the header is present: the length alone decides.
    EXPECT_EQ(decode_frame(bytes.data(), 8, 4096, frame, consumed), DecodeStatus::TooBig);
}

TEST(WsFrame, RejectsNonMinimalLengthEncoding) {
    std::vector<uint8_t> bytes = {0x81, 0x80 | 126, 0x00, 0x05, 1,   2,  3,
                                  4,    'a',        'b',  'c',  'd', 'e'};
    Frame frame;
    size_t consumed = 0;
    EXPECT_EQ(decode_frame(bytes.data(), bytes.size(), 1024, frame, consumed),
              DecodeStatus::ProtocolError);
}

TEST(WsFrame, AcceptKeyMatchesRfcExample) {
    // RFC 6455 §1.3.
    EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsFrame, PeerCloseCodes) {
    EXPECT_TRUE(is_valid_peer_close_code(1000));
    EXPECT_TRUE(is_valid_peer_close_code(4999));
    EXPECT_FALSE(is_valid_peer_close_code(1005));
    EXPECT_FALSE(is_valid_peer_close_code(1006));
    EXPECT_FALSE(is_valid_peer_close_code(999));
    EXPECT_FALSE(is_valid_peer_close_code(5000));
}
