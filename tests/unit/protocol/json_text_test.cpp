#include "protocol/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "protocol/utf8.hpp"

using namespace sockudo::protocol;

TEST(JsonText, PlainStringsAreQuoted) {
    EXPECT_EQ(json_string(""), R"("")");
    EXPECT_EQ(json_string("abc"), R"("abc")");
}

TEST(JsonText, ShortEscapes) {
    EXPECT_EQ(json_string("\""), R"("\"")");
    EXPECT_EQ(json_string("\\"), R"("\\")");
    EXPECT_EQ(json_string("\n\r\t\b\f"), R"("\n\r\t\b\f")");
}

TEST(JsonText, OtherControlCharactersUseUnicodeEscapes) {
    EXPECT_EQ(json_string(std::string_view("\0", 1)), R"("\u0000")");
    EXPECT_EQ(json_string("\x01\x1f"), R"("\u0001\u001f")");
    EXPECT_EQ(json_string("\x0b"), R"("\u000b")");
}

TEST(JsonText, SlashDelAndNonAsciiStayRaw) {
    EXPECT_EQ(json_string("/\x7f"), "\"/\x7f\"");
    EXPECT_EQ(json_string("\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80"),
              "\"\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80\"");
}

TEST(JsonText, AppendsToExistingText) {
    std::string out = "x:";
    append_json_string(out, "a\"b");
    append_json_string(out, "");
    EXPECT_EQ(out, R"(x:"a\"b""")");
}

TEST(JsonText, EscapesRunsBetweenPlainText) {
    EXPECT_EQ(json_string("ab\"cd\\ef\ngh"), R"("ab\"cd\\ef\ngh")");
    EXPECT_EQ(json_string("\"\"\""), R"("\"\"\"")");
}

TEST(JsonText, EveryAsciiByteRoundTrips) {
    std::string all;
    for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
    std::string text = json_string(all);
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    ASSERT_FALSE(ec) << text;
    ASSERT_TRUE(v.is_string());
    EXPECT_EQ(std::string_view(v.get_string()), all);
}

TEST(JsonText, DoubleEncodingRoundTrips) {
    // The §2.3 double encoding: JSON text carried inside a JSON string.
    const std::string inner = R"({"user_id":"a\"b","user_info":{"x":"\\n"}})";
    std::string outer = json_string(inner);
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(outer, ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(std::string_view(v.get_string()), inner);
}

TEST(JsonText, IllFormedUtf8BecomesReplacementCharacters) {
    // Text frames must be UTF-8: a browser fails the connection on anything else.
    EXPECT_EQ(json_string("\xff"), R"("\ufffd")");
    EXPECT_EQ(json_string("a\xc3"), R"("a\ufffd")");                    // truncated at the end
    EXPECT_EQ(json_string("\xc3(x"), R"("\ufffd(x")");                  // bad continuation
    EXPECT_EQ(json_string("\xc0\xaf"), R"("\ufffd\ufffd")");            // overlong
    EXPECT_EQ(json_string("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // surrogate
    EXPECT_EQ(json_string("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
    EXPECT_EQ(json_string("\x80\"\xc3\xa9"), "\"\\ufffd\\\"\xc3\xa9\"");
}

TEST(JsonText, OutputIsAlwaysValidJsonAndUtf8) {
    // Every single byte and every byte pair, at the start, middle and end of a string.
    for (int a = 0; a < 256; ++a) {
        for (int b = 0; b < 256; b += (a < 0xC0 ? 37 : 1)) {
            std::string raw = "x";
            raw.push_back(static_cast<char>(a));
            raw.push_back(static_cast<char>(b));
            std::string text = json_string(raw);
            ASSERT_TRUE(is_valid_utf8(text)) << a << " " << b;
            boost::system::error_code ec;
            boost::json::value v = boost::json::parse(text, ec);
            ASSERT_FALSE(ec) << a << " " << b;
            // Valid input comes back unchanged.
            if (is_valid_utf8(raw)) {
                ASSERT_EQ(std::string_view(v.get_string()), raw) << a << " " << b;
            }
        }
    }
}
