#include "protocol/json_parse.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>

using namespace sockudo::protocol;
namespace json = boost::json;

namespace {

// The parsed string of a one-string document, or "<error>".
std::string parsed_string(std::string_view text) {
    boost::system::error_code ec;
    json::value v = parse_json(text, ec);
    if (ec) return "<error>";
    if (!v.is_string()) return "<not a string>";
    return std::string(v.get_string());
}

}  // namespace

TEST(ParseJson, OrdinaryDocuments) {
    boost::system::error_code ec;
    json::value v = parse_json(R"({"a":[1,"x",null,true]})", ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(json::serialize(v), R"({"a":[1,"x",null,true]})");
    EXPECT_EQ(parsed_string(R"("\ud83d\ude00")"), "\xf0\x9f\x98\x80");
    EXPECT_EQ(parsed_string(R"("\uD83D\uDE00")"), "\xf0\x9f\x98\x80");
}

TEST(ParseJson, ErrorsStayErrors) {
    for (std::string_view text : {"", "{", "[1,]", R"({"a":1} x)", "\"\xff\"", R"("\x")",
                                  R"("\u12")", R"("\ud800)", R"(\ud800)", R"([\ud800])"}) {
        boost::system::error_code ec;
        parse_json(text, ec);
        EXPECT_TRUE(ec) << text;
    }
}

TEST(ParseJson, LoneSurrogateEscapesReadAsReplacementCharacter) {
    // JSON.stringify("\ud800") is "\"\\ud800\"", which JSON.parse reads back; pusher-js sends
    // such text when an app truncates a string in the middle of an emoji.
    const std::string fffd = "\xef\xbf\xbd";
    EXPECT_EQ(parsed_string(R"("\ud800")"), fffd);
    EXPECT_EQ(parsed_string(R"("\udfff")"), fffd);
    EXPECT_EQ(parsed_string(R"("ab\ud83d")"), "ab" + fffd);     // high half at the end
    EXPECT_EQ(parsed_string(R"("\ude00cd")"), fffd + "cd");     // low half first
    EXPECT_EQ(parsed_string(R"("\ud800\u0041")"), fffd + "A");  // high then non-surrogate
    EXPECT_EQ(parsed_string(R"("\ud83d\ud83d\ude00")"), fffd + "\xf0\x9f\x98\x80");
    EXPECT_EQ(parsed_string(R"("\ude00\ud83d")"), fffd + fffd);  // reversed pair
}

TEST(ParseJson, EscapedBackslashesAreNotEscapes) {
    // "\\ud800" is a backslash followed by the letters "ud800", already valid.
    EXPECT_EQ(parsed_string(R"("\\ud800")"), "\\ud800");
    EXPECT_EQ(parsed_string(R"("\\\ud800")"), "\\\xef\xbf\xbd");
    EXPECT_EQ(parsed_string(R"("\"\ud800")"), "\"\xef\xbf\xbd");
}

TEST(ParseJson, RepairOnlyTouchesSurrogates) {
    // Another error in the same document is still reported.
    boost::system::error_code ec;
    parse_json(R"({"a":"\ud800",})", ec);
    EXPECT_TRUE(ec);
    ec = {};
    json::value v = parse_json(R"({"k\udc00":"v\ud800","n":1})", ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(v.at("n"), 1);
    EXPECT_TRUE(v.as_object().contains("k\xef\xbf\xbd"));
}

TEST(ParseJson, DepthLimit) {
    boost::system::error_code ec;
    parse_json(std::string(64, '[') + std::string(64, ']'), ec);
    EXPECT_FALSE(ec);
    parse_json(std::string(65, '[') + std::string(65, ']'), ec);
    EXPECT_TRUE(ec);
    // The repair path keeps the limit.
    ec = {};
    parse_json(std::string(65, '[') + R"("\ud800")" + std::string(65, ']'), ec);
    EXPECT_TRUE(ec);
}
