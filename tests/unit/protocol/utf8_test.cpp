#include "protocol/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

using namespace sockudo::protocol;

namespace {

// Independent reference: the well-formed byte sequences of Unicode Table 3-7, checked
// range by range rather than by decoding code points.
bool reference_valid(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    size_t n = s.size();
    size_t i = 0;
    auto in = [](unsigned char b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
    while (i < n) {
        unsigned char b0 = p[i];
        if (b0 <= 0x7F) {
            i += 1;
            continue;
        }
        auto at = [&](size_t k) -> int { return i + k < n ? p[i + k] : -1; };
        auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
            int b = at(k);
            return b >= 0 && in(static_cast<unsigned char>(b), lo, hi);
        };
        if (in(b0, 0xC2, 0xDF)) {
            if (!cont(1)) return false;
            i += 2;
        } else if (b0 == 0xE0) {
            if (!cont(1, 0xA0, 0xBF) || !cont(2)) return false;
            i += 3;
        } else if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) {
            if (!cont(1) || !cont(2)) return false;
            i += 3;
        } else if (b0 == 0xED) {
            if (!cont(1, 0x80, 0x9F) || !cont(2)) return false;
            i += 3;
        } else if (b0 == 0xF0) {
            if (!cont(1, 0x90, 0xBF) || !cont(2) || !cont(3)) return false;
            i += 4;
        } else if (in(b0, 0xF1, 0xF3)) {
            if (!cont(1) || !cont(2) || !cont(3)) return false;
            i += 4;
        } else if (b0 == 0xF4) {
            if (!cont(1, 0x80, 0x8F) || !cont(2) || !cont(3)) return false;
            i += 4;
        } else {
            return false;
        }
    }
    return true;
}

std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (int b : list) s.push_back(static_cast<char>(b));
    return s;
}

}  // namespace

TEST(Utf8, AsciiAndEmpty) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8(std::string_view()));
    EXPECT_TRUE(is_valid_utf8("hello"));
    EXPECT_TRUE(is_valid_utf8(std::string_view("\0\x7f", 2)));
    EXPECT_TRUE(is_valid_utf8(std::string(1000, 'x')));
}

TEST(Utf8, WellFormedBoundaries) {
    EXPECT_TRUE(is_valid_utf8(bytes({0xC2, 0x80})));              // U+0080
    EXPECT_TRUE(is_valid_utf8(bytes({0xDF, 0xBF})));              // U+07FF
    EXPECT_TRUE(is_valid_utf8(bytes({0xE0, 0xA0, 0x80})));        // U+0800
    EXPECT_TRUE(is_valid_utf8(bytes({0xED, 0x9F, 0xBF})));        // U+D7FF
    EXPECT_TRUE(is_valid_utf8(bytes({0xEE, 0x80, 0x80})));        // U+E000
    EXPECT_TRUE(is_valid_utf8(bytes({0xEF, 0xBF, 0xBF})));        // U+FFFF
    EXPECT_TRUE(is_valid_utf8(bytes({0xF0, 0x90, 0x80, 0x80})));  // U+10000
    EXPECT_TRUE(is_valid_utf8(bytes({0xF4, 0x8F, 0xBF, 0xBF})));  // U+10FFFF
    EXPECT_TRUE(is_valid_utf8("h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac \xf0\x9f\x98\x80"));
}

TEST(Utf8, IllFormed) {
    EXPECT_FALSE(is_valid_utf8(bytes({0x80})));  // lone continuation
    EXPECT_FALSE(is_valid_utf8(bytes({0xBF})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xC0, 0x80})));              // overlong NUL
    EXPECT_FALSE(is_valid_utf8(bytes({0xC1, 0xBF})));              // overlong
    EXPECT_FALSE(is_valid_utf8(bytes({0xE0, 0x9F, 0xBF})));        // overlong 3-byte
    EXPECT_FALSE(is_valid_utf8(bytes({0xED, 0xA0, 0x80})));        // U+D800
    EXPECT_FALSE(is_valid_utf8(bytes({0xED, 0xBF, 0xBF})));        // U+DFFF
    EXPECT_FALSE(is_valid_utf8(bytes({0xF0, 0x8F, 0xBF, 0xBF})));  // overlong 4-byte
    EXPECT_FALSE(is_valid_utf8(bytes({0xF4, 0x90, 0x80, 0x80})));  // U+110000
    EXPECT_FALSE(is_valid_utf8(bytes({0xF5, 0x80, 0x80, 0x80})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xFE})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xFF})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xC3})));  // truncated
    EXPECT_FALSE(is_valid_utf8(bytes({0xE2, 0x82})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xF0, 0x9F, 0x98})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xC3, 0x41})));  // bad continuation
    EXPECT_FALSE(is_valid_utf8(bytes({0xE2, 0x28, 0xA1})));
    EXPECT_FALSE(is_valid_utf8(bytes({0xF0, 0x9F, 0x98, 0xC0})));
}

TEST(Utf8, ErrorsAfterTheAsciiFastPath) {
    // The validator skips eight ASCII bytes at a time; a bad byte at every offset past such a
    // run, and a truncated sequence at the very end, must still be seen.
    for (size_t prefix = 0; prefix < 40; ++prefix) {
        std::string s(prefix, 'a');
        EXPECT_TRUE(is_valid_utf8(s + "\xc3\xa9")) << prefix;
        EXPECT_FALSE(is_valid_utf8(s + "\xff")) << prefix;
        EXPECT_FALSE(is_valid_utf8(s + "\xc3")) << prefix;
        EXPECT_FALSE(is_valid_utf8(s + "\xf0\x9f\x98")) << prefix;
        EXPECT_FALSE(is_valid_utf8(s + "\x80" + std::string(16, 'b'))) << prefix;
        EXPECT_TRUE(is_valid_utf8(s + "\xf0\x9f\x98\x80" + std::string(prefix, 'b'))) << prefix;
    }
}

TEST(Utf8, ExhaustiveTwoBytes) {
    for (int a = 0; a < 256; ++a) {
        for (int b = 0; b < 256; ++b) {
            std::string s = bytes({a, b});
            ASSERT_EQ(is_valid_utf8(s), reference_valid(s)) << std::hex << a << " " << b;
        }
    }
}

TEST(Utf8, ExhaustiveThreeByteSequencesWithMultiByteLeads) {
    for (int a = 0xC0; a < 256; ++a) {
        for (int b = 0; b < 256; ++b) {
            for (int c = 0; c < 256; ++c) {
                std::string s = bytes({a, b, c});
                ASSERT_EQ(is_valid_utf8(s), reference_valid(s))
                    << std::hex << a << " " << b << " " << c;
            }
        }
    }
}

TEST(Utf8, FourByteLeadsWithEveryContinuationClass) {
    // Second byte exhaustively; third and fourth from each class that matters.
    const int tails[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xF4, 0xFF};
    for (int a = 0xF0; a < 256; ++a) {
        for (int b = 0; b < 256; ++b) {
            for (int c : tails) {
                for (int d : tails) {
                    std::string s = bytes({a, b, c, d});
                    ASSERT_EQ(is_valid_utf8(s), reference_valid(s))
                        << std::hex << a << " " << b << " " << c << " " << d;
                    // Also straddling the eight-byte fast path.
                    std::string padded = "1234567" + s + "abcdefgh";
                    ASSERT_EQ(is_valid_utf8(padded), reference_valid(padded));
                }
            }
        }
    }
}

TEST(Utf8, EveryScalarValueEncodesValid) {
    for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        std::string s;
        if (cp < 0x80) {
            s.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
        const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        ASSERT_EQ(is_valid_utf8(s), !surrogate) << std::hex << cp;
    }
}
