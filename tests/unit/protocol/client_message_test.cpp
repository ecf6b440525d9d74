#include "protocol/client_message.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "protocol/utf8.hpp"

using namespace sockudo::protocol;
namespace json = boost::json;

namespace {

ClientMessage parse_ok(std::string_view text) {
    ClientMessage m;
    EXPECT_EQ(parse_client_message(text, m), ClientMessageError::None) << text;
    return m;
}

ClientMessageError parse_error(std::string_view text) {
    ClientMessage m;
    return parse_client_message(text, m);
}

std::string nested_arrays(size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

// Whether `text` is JSON that a strict parser (and JSON.parse) accepts.
bool is_json(std::string_view text) {
    boost::system::error_code ec;
    json::parse(text, ec);
    return !ec;
}

}  // namespace

// --- frames real clients send (§5) ------------------------------------------------------

TEST(ClientMessage, PingWithObjectData) {
    ClientMessage m = parse_ok(R"({"event":"pusher:ping","data":{}})");
    EXPECT_EQ(m.event, "pusher:ping");
    EXPECT_FALSE(m.channel.has_value());
    EXPECT_TRUE(m.data.is_object());
}

TEST(ClientMessage, SubscribePublicChannelShapes) {
    for (std::string_view text :
         {R"({"event":"pusher:subscribe","data":{"channel":"my-channel"}})",
          R"({"event":"pusher:subscribe","data":{"auth":"","channel":"my-channel"}})"}) {
        ClientMessage m = parse_ok(text);
        EXPECT_EQ(m.event, "pusher:subscribe");
        SubscribeData d = subscribe_data(m.data);
        EXPECT_EQ(d.channel, "my-channel");
        EXPECT_FALSE(d.channel_data.has_value());
    }
    SubscribeData with_empty_auth = subscribe_data(
        parse_ok(R"({"event":"pusher:subscribe","data":{"auth":"","channel":"c"}})").data);
    EXPECT_EQ(with_empty_auth.auth, "");
}

TEST(ClientMessage, SubscribePrivateChannelTv2) {
    ClientMessage m = parse_ok(
        R"({"event":"pusher:subscribe","data":{"auth":"278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4","channel":"private-foobar"}})");
    SubscribeData d = subscribe_data(m.data);
    EXPECT_EQ(d.channel, "private-foobar");
    EXPECT_EQ(
        d.auth,
        "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
}

TEST(ClientMessage, SubscribePresenceTv5KeepsChannelDataByteExact) {
    ClientMessage m = parse_ok(
        R"({"event":"pusher:subscribe","data":{"auth":"278d425bdf160c739803:54e277177d8e317550b1ac149991418f4a61bbfc5cff3d5bd66bb2e7a3d776a2","channel_data":"{\"user_id\":\"alice\",\"user_info\":{\"name\":\"Alice\"}}","channel":"presence-room"}})");
    SubscribeData d = subscribe_data(m.data);
    EXPECT_EQ(d.channel, "presence-room");
    EXPECT_EQ(
        d.auth,
        "278d425bdf160c739803:54e277177d8e317550b1ac149991418f4a61bbfc5cff3d5bd66bb2e7a3d776a2");
    EXPECT_EQ(d.channel_data, R"({"user_id":"alice","user_info":{"name":"Alice"}})");
}

TEST(ClientMessage, ChannelDataWhitespaceAndEscapesSurviveUnchanged) {
    // The signature covers the decoded string, so odd spacing and escapes must reach it intact.
    ClientMessage m = parse_ok(
        R"({"event":"pusher:subscribe","data":{"channel":"presence-a","channel_data":"{ \"user_id\" : 1 ,\"user_info\":{\"n\":\"\\u00e9\\\\\"}}"}})");
    SubscribeData d = subscribe_data(m.data);
    EXPECT_EQ(d.channel_data, R"({ "user_id" : 1 ,"user_info":{"n":"\u00e9\\"}})");
}

TEST(ClientMessage, SigninTv7) {
    ClientMessage m = parse_ok(
        R"({"event":"pusher:signin","data":{"auth":"278d425bdf160c739803:eb208fe4894dd6df1c387ef098c88cec9ed6cdae3d43bf317c8e3e13f3ab2d47","user_data":"{\"id\":\"12345\",\"user_info\":{\"name\":\"Ada\"},\"watchlist\":[\"222\",\"333\"]}"}})");
    EXPECT_EQ(m.event, "pusher:signin");
    SigninData d = signin_data(m.data);
    EXPECT_EQ(
        d.auth,
        "278d425bdf160c739803:eb208fe4894dd6df1c387ef098c88cec9ed6cdae3d43bf317c8e3e13f3ab2d47");
    EXPECT_EQ(d.user_data,
              R"({"id":"12345","user_info":{"name":"Ada"},"watchlist":["222","333"]})");
}

TEST(ClientMessage, ClientEvent) {
    ClientMessage m =
        parse_ok(R"({"event":"client-typing","channel":"presence-room","data":{"typing":true}})");
    EXPECT_EQ(m.event, "client-typing");
    EXPECT_EQ(m.channel, "presence-room");
    EXPECT_EQ(data_as_string(m.data), R"({"typing":true})");
}

// --- leniency (§2.4) -------------------------------------------------------------------

TEST(ClientMessage, ProtocolDataMayBeAStringHoldingAnObject) {
    ClientMessage m = parse_ok(
        R"({"event":"pusher:subscribe","data":"{\"channel\":\"private-x\",\"auth\":\"k:s\",\"channel_data\":\"{}\"}"})");
    SubscribeData d = subscribe_data(m.data);
    EXPECT_EQ(d.channel, "private-x");
    EXPECT_EQ(d.auth, "k:s");
    EXPECT_EQ(d.channel_data, "{}");
    ClientMessage s = parse_ok(
        R"({"event":"pusher:signin","data":"{\"auth\":\"k:s\",\"user_data\":\"{\\\"id\\\":\\\"1\\\"}\"}"})");
    SigninData sd = signin_data(s.data);
    EXPECT_EQ(sd.auth, "k:s");
    EXPECT_EQ(sd.user_data, R"({"id":"1"})");
}

TEST(ClientMessage, UnknownFieldsAreIgnored) {
    ClientMessage m = parse_ok(
        R"({"id":7,"event":"pusher:subscribe","extra":{"deep":[1,2]},"data":{"channel":"c","x":null},"user_id":"spoof"})");
    EXPECT_EQ(m.event, "pusher:subscribe");
    EXPECT_EQ(subscribe_data(m.data).channel, "c");
}

TEST(ClientMessage, FieldOrderAndWhitespaceDoNotMatter) {
    ClientMessage m =
        parse_ok(" \r\n{ \"data\" : { \"channel\" : \"c\" } ,\t\"event\":\"pusher:subscribe\" }\n");
    EXPECT_EQ(m.event, "pusher:subscribe");
    EXPECT_EQ(subscribe_data(m.data).channel, "c");
}

TEST(ClientMessage, EscapedEventNameIsDecoded) {
    EXPECT_EQ(parse_ok(R"({"event":"pusher:\u0073ubscribe"})").event, "pusher:subscribe");
}

TEST(ClientMessage, DuplicateKeysLastWinsLikeJsonParse) {
    ClientMessage m =
        parse_ok(R"({"event":"client-a","event":"client-b","channel":"x","channel":"y"})");
    EXPECT_EQ(m.event, "client-b");
    EXPECT_EQ(m.channel, "y");
}

TEST(ClientMessage, MissingDataIsNull) {
    ClientMessage m = parse_ok(R"({"event":"pusher:ping"})");
    EXPECT_TRUE(m.data.is_null());
    EXPECT_FALSE(subscribe_data(m.data).channel.has_value());
    EXPECT_FALSE(signin_data(m.data).auth.has_value());
}

TEST(ClientMessage, ReusedOutputIsFullyOverwritten) {
    ClientMessage m;
    ASSERT_EQ(
        parse_client_message(R"({"event":"client-a","channel":"private-a","data":{"x":1}})", m),
        ClientMessageError::None);
    ASSERT_EQ(parse_client_message(R"({"event":"pusher:ping"})", m), ClientMessageError::None);
    EXPECT_EQ(m.event, "pusher:ping");
    EXPECT_FALSE(m.channel.has_value());
    EXPECT_TRUE(m.data.is_null());
}

// --- wrong types ---------------------------------------------------------------------

TEST(ClientMessage, NonStringChannelIsAbsent) {
    for (std::string_view text :
         {R"({"event":"client-x","channel":5})", R"({"event":"client-x","channel":null})",
          R"({"event":"client-x","channel":["a"]})",
          R"({"event":"client-x","channel":{"name":"a"}})",
          R"({"event":"client-x","channel":true})"}) {
        EXPECT_FALSE(parse_ok(text).channel.has_value()) << text;
    }
}

TEST(ClientMessage, SubscribeFieldsOfTheWrongTypeAreAbsent) {
    SubscribeData d = subscribe_data(
        parse_ok(
            R"({"event":"pusher:subscribe","data":{"channel":42,"auth":["k:s"],"channel_data":{"user_id":"a"}}})")
            .data);
    EXPECT_FALSE(d.channel.has_value());
    EXPECT_FALSE(d.auth.has_value());
    // channel_data must arrive as a string: an object has no signed byte form.
    EXPECT_FALSE(d.channel_data.has_value());
    SigninData s = signin_data(
        parse_ok(R"({"event":"pusher:signin","data":{"auth":1,"user_data":{"id":"1"}}})").data);
    EXPECT_FALSE(s.auth.has_value());
    EXPECT_FALSE(s.user_data.has_value());
}

TEST(ClientMessage, DataThatIsNoObjectYieldsNothing) {
    for (std::string_view data : {R"(null)", R"(1)", R"(true)", R"([{"channel":"c"}])",
                                  R"("channel")", R"("[{\"channel\":\"c\"}]")", R"("")",
                                  R"("{\"channel\":")", R"("\"{\\\"channel\\\":\\\"c\\\"}\"")"}) {
        std::string text =
            std::string(R"({"event":"pusher:subscribe","data":)") + std::string(data) + "}";
        ClientMessage m = parse_ok(text);
        EXPECT_FALSE(subscribe_data(m.data).channel.has_value()) << text;
        EXPECT_FALSE(signin_data(m.data).auth.has_value()) << text;
    }
}

TEST(ClientMessage, MissingOrNonStringEvent) {
    for (std::string_view text : {R"({})", R"({"data":{}})", R"({"event":null})", R"({"event":1})",
                                  R"({"event":["pusher:ping"]})", R"({"event":{"name":"x"}})",
                                  R"({"Event":"pusher:ping"})", R"({"event ":"pusher:ping"})"}) {
        EXPECT_EQ(parse_error(text), ClientMessageError::MissingEvent) << text;
    }
}

TEST(ClientMessage, RootThatIsNotAnObject) {
    for (std::string_view text :
         {R"([])", R"([{"event":"pusher:ping"}])", R"("pusher:ping")", R"(42)", R"(null)",
          R"(true)", R"("{\"event\":\"pusher:ping\"}")"}) {
        EXPECT_EQ(parse_error(text), ClientMessageError::NotAnObject) << text;
    }
}

TEST(ClientMessage, MalformedJson) {
    const std::string_view cases[] = {
        "",
        " ",
        "{",
        "}",
        R"({"event":"pusher:ping")",
        R"({"event":"pusher:ping"}})",
        R"({"event":"pusher:ping"} {"event":"pusher:ping"})",
        R"({"event":'pusher:ping'})",
        R"({event:"pusher:ping"})",
        R"({"event":"pusher:ping",})",
        R"({"event":"a" /*c*/})",
        R"({"event":"a","data":NaN})",
        R"({"event":"a","data":Infinity})",
        R"({"event":"a","data":01})",
        R"({"event":"a","data":1.})",
        R"({"event":"a","data":.5})",
        R"({"event":"a","data":+1})",
        R"({"event":"a","data":"\x41"})",
        "{\"event\":\"a\tb\"}",           // raw control character inside a string
        "\xef\xbb\xbf{\"event\":\"a\"}",  // byte-order mark, which JSON.parse rejects
        "{\"event\":\"\xc3\"}",           // truncated UTF-8
        "{\"event\":\"\xed\xa0\x80\"}",   // encoded surrogate
        "{\"event\":\"\xc0\xaf\"}",       // overlong '/'
        std::string_view("{\"event\":\"a\"}\0", 14)};
    for (std::string_view text : cases) {
        EXPECT_EQ(parse_error(text), ClientMessageError::InvalidJson) << text;
    }
}

// --- limits --------------------------------------------------------------------------

TEST(ClientMessage, NestingUpToSixtyFourLevelsIsAccepted) {
    // The envelope is level 1, so `data` may nest 63 more levels.
    std::string ok = R"({"event":"client-x","data":)" + nested_arrays(63) + "}";
    EXPECT_EQ(parse_error(ok), ClientMessageError::None);
    std::string deep = R"({"event":"client-x","data":)" + nested_arrays(64) + "}";
    EXPECT_EQ(parse_error(deep), ClientMessageError::InvalidJson);
}

TEST(ClientMessage, VeryDeepInputFailsWithoutExhaustingTheStack) {
    std::string text = R"({"event":"client-x","data":)" + std::string(1 << 20, '[');
    EXPECT_EQ(parse_error(text), ClientMessageError::InvalidJson);
    std::string objects;
    for (int i = 0; i < 100000; ++i) objects += R"({"a":)";
    EXPECT_EQ(parse_error(objects), ClientMessageError::InvalidJson);
}

TEST(ClientMessage, DeepStringDataIsAlsoBounded) {
    // A string `data` is parsed a second time for protocol events; the same limit applies.
    std::string inner = R"({"channel":"c","x":)" + nested_arrays(63) + "}";
    std::string too_deep = R"({"channel":"c","x":)" + nested_arrays(64) + "}";
    json::value ok_data = json::string(inner);
    json::value deep_data = json::string(too_deep);
    EXPECT_EQ(subscribe_data(ok_data).channel, "c");
    EXPECT_FALSE(subscribe_data(deep_data).channel.has_value());
}

TEST(ClientMessage, LargeMessagesParse) {
    std::string payload(1 << 20, 'a');
    ClientMessage m =
        parse_ok(R"({"event":"client-big","channel":"private-a","data":")" + payload + R"("})");
    EXPECT_EQ(data_as_string(m.data).size(), payload.size());
}

TEST(ClientMessage, HugeNumbersAreAccepted) {
    ClientMessage m = parse_ok(
        R"({"event":"client-n","data":{"big":123456789012345678901234567890,"u":18446744073709551615,"i":-9223372036854775808,"e":1e308,"tiny":1e-400,"over":1e400,"neg":-1e400}})");
    const json::object& o = m.data.get_object();
    EXPECT_TRUE(o.at("u").is_uint64());
    EXPECT_EQ(o.at("u").get_uint64(), 18446744073709551615ull);
    EXPECT_TRUE(o.at("i").is_int64());
    EXPECT_TRUE(o.at("big").is_double());
}

// --- data_as_string (§2.3, §8.4) ------------------------------------------------------------

TEST(DataAsString, StringsAreForwardedUnchanged) {
    EXPECT_EQ(data_as_string(json::value("{\"typing\":true}")), R"({"typing":true})");
    EXPECT_EQ(data_as_string(json::value("")), "");
    EXPECT_EQ(data_as_string(json::value("plain text")), "plain text");
    // Not JSON-escaped a second time: the envelope builder does that.
    EXPECT_EQ(data_as_string(json::value("a\"b\\c\n")), "a\"b\\c\n");
}

TEST(DataAsString, OtherValuesBecomeCompactJson) {
    EXPECT_EQ(data_as_string(
                  parse_ok(R"({"event":"e","data": { "typing" : true , "n" : [ 1 , -2 , null ] }})")
                      .data),
              R"({"typing":true,"n":[1,-2,null]})");
    EXPECT_EQ(data_as_string(json::value(nullptr)), "null");
    EXPECT_EQ(data_as_string(json::value(true)), "true");
    EXPECT_EQ(data_as_string(json::value(42)), "42");
    EXPECT_EQ(data_as_string(json::value(-42)), "-42");
    EXPECT_EQ(data_as_string(json::array()), "[]");
    EXPECT_EQ(data_as_string(json::object()), "{}");
}

TEST(DataAsString, EscapesAndUnicodeStayValidJson) {
    ClientMessage m = parse_ok(
        R"({"event":"e","data":{"s":"quote\" backslash\\ nl\n tab\t ctl\u0001 e\u00e9 emoji\ud83d\ude00 raw é"}})");
    std::string text = data_as_string(m.data);
    EXPECT_TRUE(is_valid_utf8(text));
    ASSERT_TRUE(is_json(text)) << text;
    EXPECT_EQ(json::parse(text), m.data);
}

TEST(DataAsString, FractionalNumbersRoundTrip) {
    ClientMessage m = parse_ok(
        R"({"event":"e","data":{"f":1.5,"g":-0.25,"h":1e300,"k":123456789012345678901234567890}})");
    std::string text = data_as_string(m.data);
    ASSERT_TRUE(is_json(text)) << text;
    EXPECT_EQ(json::parse(text), m.data);
}

TEST(DataAsString, OutOfRangeNumbersStillGiveValidJson) {
    // 1e400 parses as infinity; JSON has no spelling for it, so it is relayed as null the way
    // JSON.stringify (pusher-js, Node servers) renders it.
    ClientMessage m =
        parse_ok(R"({"event":"client-n","data":{"over":1e400,"neg":-1e400,"list":[1e999,2]}})");
    std::string text = data_as_string(m.data);
    EXPECT_TRUE(is_json(text)) << text;
    EXPECT_EQ(text, R"({"over":null,"neg":null,"list":[null,2]})");
    ClientMessage bare = parse_ok(R"({"event":"client-n","data":-1e400})");
    EXPECT_EQ(data_as_string(bare.data), "null");
}

TEST(ClientMessage, LoneSurrogateEscapesFromJsonStringifyAreAccepted) {
    // pusher-js serialises with JSON.stringify, which escapes a lone surrogate (a string cut
    // inside an emoji) as \udXXX; JSON.parse-based servers relay such events.
    ClientMessage m = parse_ok(
        R"({"event":"client-typing","channel":"private-chat","data":{"preview":"hi \ud83d"}})");
    EXPECT_EQ(data_as_string(m.data), "{\"preview\":\"hi \xef\xbf\xbd\"}");
    ClientMessage s = parse_ok(
        R"({"event":"pusher:subscribe","data":"{\"channel\":\"private-a\",\"auth\":\"k:\\ud800\"}"})");
    EXPECT_EQ(subscribe_data(s.data).channel, "private-a");
}
