#include "protocol/server_message.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "protocol/client_message.hpp"
#include "protocol/presence.hpp"
#include "protocol/signature.hpp"
#include "protocol/utf8.hpp"
#include "protocol/wire_names.hpp"

using namespace sockudo::protocol;
namespace sm = sockudo::protocol::server_message;
namespace json = boost::json;

namespace {

// Parses a frame as a client would; fails the test when it is not JSON.
json::object frame(const std::string& text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    EXPECT_FALSE(ec) << text;
    if (ec || !v.is_object()) return {};
    return v.get_object();
}

// The object held in a string `data`, as Java/Swift clients decode it.
json::object inner(const std::string& text) {
    json::object o = frame(text);
    if (!o.contains("data") || !o.at("data").is_string()) {
        ADD_FAILURE() << "data is not a string: " << text;
        return {};
    }
    const json::string& s = o.at("data").get_string();
    boost::system::error_code ec;
    json::value v = json::parse(std::string_view(s.data(), s.size()), ec);
    EXPECT_FALSE(ec) << s;
    if (ec || !v.is_object()) return {};
    return v.get_object();
}

}  // namespace

// --- TV-1 -------------------------------------------------------------------------------

TEST(ServerMessage, Tv1ConnectionEstablished) {
    EXPECT_EQ(
        sm::connection_established("123.456", 120),
        R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"123.456\",\"activity_timeout\":120}"})");
}

TEST(ServerMessage, ConnectionEstablishedDataIsAString) {
    // pusher-websocket-java casts data to String (§2.3).
    std::string text = sm::connection_established("264774.13368624", 30);
    json::object o = inner(text);
    EXPECT_EQ(o.at("socket_id"), "264774.13368624");
    EXPECT_EQ(o.at("activity_timeout"), 30);
    EXPECT_EQ(frame(text).size(), 2u);
}

// --- pusher:error (§6.2) ------------------------------------------------------------------

TEST(ServerMessage, ErrorExamples) {
    EXPECT_EQ(
        sm::error(4001, "App key nope does not exist."),
        R"({"event":"pusher:error","data":{"code":4001,"message":"App key nope does not exist."}})");
    EXPECT_EQ(
        sm::error(std::nullopt, "Invalid message format"),
        R"({"event":"pusher:error","data":{"code":null,"message":"Invalid message format"}})");
    EXPECT_EQ(
        sm::channel_error("private-chat", 4301, "Client event rejected due to rate limit"),
        R"({"event":"pusher:error","channel":"private-chat","data":{"code":4301,"message":"Client event rejected due to rate limit"}})");
}

TEST(ServerMessage, ErrorMessageIsEscaped) {
    std::string text = sm::error(4009, "bad \"name\"\n\\");
    EXPECT_EQ(text,
              R"({"event":"pusher:error","data":{"code":4009,"message":"bad \"name\"\n\\"}})");
    EXPECT_EQ(frame(text).at("data").at("message"), "bad \"name\"\n\\");
}

TEST(ServerMessage, ErrorCodesOfAnySign) {
    EXPECT_EQ(sm::error(-1, "m"), R"({"event":"pusher:error","data":{"code":-1,"message":"m"}})");
    EXPECT_EQ(sm::error(0, ""), R"({"event":"pusher:error","data":{"code":0,"message":""}})");
}

// --- ping / pong (§6.3) -----------------------------------------------------------------------

TEST(ServerMessage, PingPong) {
    EXPECT_EQ(sm::ping(), R"({"event":"pusher:ping","data":"{}"})");
    EXPECT_EQ(sm::pong(), R"({"event":"pusher:pong","data":"{}"})");
}

// --- subscription_succeeded (§6.6, TV-5) ----------------------------------------------------

TEST(ServerMessage, SubscriptionSucceeded) {
    EXPECT_EQ(
        sm::subscription_succeeded("my-channel"),
        R"({"event":"pusher_internal:subscription_succeeded","channel":"my-channel","data":"{}"})");
    EXPECT_EQ(
        sm::subscription_succeeded("#server-to-user-42"),
        R"({"event":"pusher_internal:subscription_succeeded","channel":"#server-to-user-42","data":"{}"})");
}

TEST(ServerMessage, Tv5PresenceSubscriptionSucceeded) {
    PresenceMember alice{"alice", R"({"name":"Alice"})"};
    EXPECT_EQ(
        sm::presence_subscription_succeeded("presence-room", {&alice}),
        R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-room","data":"{\"presence\":{\"ids\":[\"alice\"],\"hash\":{\"alice\":{\"name\":\"Alice\"}},\"count\":1}}"})");
}

TEST(ServerMessage, Tv5MemberAdded) {
    EXPECT_EQ(
        sm::member_added("presence-room", "alice", R"({"name":"Alice"})"),
        R"({"event":"pusher_internal:member_added","channel":"presence-room","data":"{\"user_id\":\"alice\",\"user_info\":{\"name\":\"Alice\"}}"})");
}

TEST(ServerMessage, Tv5FromTheSubscribeFrameToTheReplies) {
    // The client frame of TV-5, through parsing, verification and member identity.
    const std::string subscribe =
        R"({"event":"pusher:subscribe","data":{"auth":"278d425bdf160c739803:54e277177d8e317550b1ac149991418f4a61bbfc5cff3d5bd66bb2e7a3d776a2","channel_data":"{\"user_id\":\"alice\",\"user_info\":{\"name\":\"Alice\"}}","channel":"presence-room"}})";
    ClientMessage msg;
    ASSERT_EQ(parse_client_message(subscribe, msg), ClientMessageError::None);
    SubscribeData data = subscribe_data(msg.data);
    ASSERT_TRUE(data.channel && data.auth && data.channel_data);
    ASSERT_TRUE(verify_channel_auth("278d425bdf160c739803", "7ad3773142a6692b25b8", "1234.1234",
                                    *data.channel, &*data.channel_data, *data.auth));
    PresenceMember member;
    ASSERT_EQ(parse_channel_data(*data.channel_data, member), ChannelDataError::None);
    EXPECT_EQ(
        sm::presence_subscription_succeeded(*data.channel, {&member}),
        R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-room","data":"{\"presence\":{\"ids\":[\"alice\"],\"hash\":{\"alice\":{\"name\":\"Alice\"}},\"count\":1}}"})");
    EXPECT_EQ(
        sm::member_added(*data.channel, member.user_id, member.user_info_json),
        R"({"event":"pusher_internal:member_added","channel":"presence-room","data":"{\"user_id\":\"alice\",\"user_info\":{\"name\":\"Alice\"}}"})");
}

TEST(ServerMessage, Tv3NumericIdAppearsAsAString) {
    PresenceMember member;
    ASSERT_EQ(parse_channel_data(R"({"user_id":10,"user_info":{"name":"Mr. Channels"}})", member),
              ChannelDataError::None);
    std::string text = sm::presence_subscription_succeeded("presence-foobar", {&member});
    json::object presence = inner(text).at("presence").as_object();
    ASSERT_EQ(presence.at("ids").as_array().size(), 1u);
    EXPECT_EQ(presence.at("ids").as_array()[0], "10");  // Java iterates ids as strings
    EXPECT_EQ(presence.at("hash").at("10").at("name"), "Mr. Channels");
    EXPECT_EQ(
        sm::member_removed("presence-foobar", member.user_id),
        R"({"event":"pusher_internal:member_removed","channel":"presence-foobar","data":"{\"user_id\":\"10\"}"})");
}

TEST(ServerMessage, PresenceWithSeveralMembers) {
    PresenceMember a{"a", "{}"};
    PresenceMember b{"b\"q", R"({"n":[1,2]})"};
    PresenceMember c{"c", R"("text")"};
    std::string text = sm::presence_subscription_succeeded("presence-x", {&a, &b, &c});
    EXPECT_EQ(
        text,
        R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-x","data":"{\"presence\":{\"ids\":[\"a\",\"b\\\"q\",\"c\"],\"hash\":{\"a\":{},\"b\\\"q\":{\"n\":[1,2]},\"c\":\"text\"},\"count\":3}}"})");
    json::object presence = inner(text).at("presence").as_object();
    EXPECT_EQ(presence.at("count"), 3);
    EXPECT_EQ(presence.at("ids").as_array()[1], "b\"q");
    EXPECT_EQ(presence.at("hash").at("b\"q").at("n").as_array().size(), 2u);
}

TEST(ServerMessage, PresenceWithNoMembers) {
    EXPECT_EQ(
        sm::presence_subscription_succeeded("presence-x", {}),
        R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-x","data":"{\"presence\":{\"ids\":[],\"hash\":{},\"count\":0}}"})");
}

TEST(ServerMessage, EmptyUserInfoRendersAsEmptyObject) {
    // pusher-js reads presence.hash unconditionally: one member without user_info text must
    // not make the whole payload unparsable.
    PresenceMember bare{"u1", ""};
    std::string text = sm::presence_subscription_succeeded("presence-x", {&bare});
    EXPECT_EQ(inner(text).at("presence").at("hash").at("u1"), json::object());
    EXPECT_EQ(
        sm::member_added("presence-x", "u1", ""),
        R"({"event":"pusher_internal:member_added","channel":"presence-x","data":"{\"user_id\":\"u1\",\"user_info\":{}}"})");
}

// --- subscription_error (§6.7) ----------------------------------------------------------------

TEST(ServerMessage, SubscriptionError) {
    EXPECT_EQ(
        sm::subscription_error("private-chat", "AuthError", "Invalid signature", 401),
        R"({"event":"pusher:subscription_error","channel":"private-chat","data":"{\"type\":\"AuthError\",\"error\":\"Invalid signature\",\"status\":401}"})");
    json::object o = inner(sm::subscription_error(
        "presence-a", "LimitReached", "The maximum size for a channel member is 2 KB.", 4301));
    EXPECT_EQ(o.at("type"), "LimitReached");
    EXPECT_EQ(o.at("status"), 4301);
}

// --- member_removed (§6.8) ----------------------------------------------------------------

TEST(ServerMessage, MemberRemoved) {
    EXPECT_EQ(
        sm::member_removed("presence-room", "alice"),
        R"({"event":"pusher_internal:member_removed","channel":"presence-room","data":"{\"user_id\":\"alice\"}"})");
}

// --- subscription_count, cache_miss, watchlist (§6.9-6.11) -----------------------------------

TEST(ServerMessage, SubscriptionCount) {
    EXPECT_EQ(
        sm::subscription_count("my-channel", 3),
        R"({"event":"pusher_internal:subscription_count","channel":"my-channel","data":"{\"subscription_count\":3}"})");
    EXPECT_EQ(inner(sm::subscription_count("c", 18446744073709551615ull)).at("subscription_count"),
              18446744073709551615ull);
}

TEST(ServerMessage, CacheMissHasNoData) {
    EXPECT_EQ(sm::cache_miss("cache-orders"),
              R"({"event":"pusher:cache_miss","channel":"cache-orders"})");
}

TEST(ServerMessage, WatchlistEvents) {
    EXPECT_EQ(
        sm::watchlist_events({{"online", {"222"}}, {"offline", {"333"}}}),
        R"({"event":"pusher_internal:watchlist_events","data":"{\"events\":[{\"name\":\"online\",\"user_ids\":[\"222\"]},{\"name\":\"offline\",\"user_ids\":[\"333\"]}]}"})");
    EXPECT_EQ(sm::watchlist_events({}),
              R"({"event":"pusher_internal:watchlist_events","data":"{\"events\":[]}"})");
    json::object o = inner(sm::watchlist_events({{"online", {"a", "b\\", "c"}}}));
    EXPECT_EQ(o.at("events").as_array()[0].at("user_ids").as_array()[1], "b\\");
}

// --- signin_success (§6.4, TV-7) --------------------------------------------------------------

TEST(ServerMessage, SigninSuccessEchoesUserData) {
    EXPECT_EQ(sm::signin_success(R"({"id":"12345"})"),
              R"({"event":"pusher:signin_success","data":{"user_data":"{\"id\":\"12345\"}"}})");
    EXPECT_EQ(
        sm::signin_success(
            R"({"id":"12345","user_info":{"name":"Ada"},"watchlist":["222","333"]})"),
        R"({"event":"pusher:signin_success","data":{"user_data":"{\"id\":\"12345\",\"user_info\":{\"name\":\"Ada\"},\"watchlist\":[\"222\",\"333\"]}"}})");
}

TEST(ServerMessage, SigninSuccessKeepsOddSpacingByteExact) {
    const std::string user_data = "{ \"id\" : \"1\" }\n";
    json::object o = frame(sm::signin_success(user_data));
    EXPECT_EQ(o.at("data").at("user_data"), json::string(user_data));
}

// --- channel events (§6.5, §6.12) ---------------------------------------------------------------

TEST(ServerMessage, ApplicationEvent) {
    EXPECT_EQ(
        sm::channel_event("order.created", "orders", R"({"id":"ord_123","total":4200})", nullptr),
        R"({"event":"order.created","channel":"orders","data":"{\"id\":\"ord_123\",\"total\":4200}"})");
}

TEST(ServerMessage, RelayedClientEvents) {
    EXPECT_EQ(sm::channel_event("client-typing", "private-chat", R"({"typing":true})", nullptr),
              R"({"event":"client-typing","channel":"private-chat","data":"{\"typing\":true}"})");
    const std::string alice = "alice";
    EXPECT_EQ(
        sm::channel_event("client-typing", "presence-room", R"({"typing":true})", &alice),
        R"({"event":"client-typing","channel":"presence-room","data":"{\"typing\":true}","user_id":"alice"})");
}

TEST(ServerMessage, RelayedClientEventFromTheParsedFrame) {
    // §8.4: object data arrives as an object and leaves as its compact JSON string.
    ClientMessage msg;
    ASSERT_EQ(
        parse_client_message(
            R"({"event":"client-typing","channel":"presence-room","data":{ "typing" : true }})",
            msg),
        ClientMessageError::None);
    const std::string alice = "alice";
    EXPECT_EQ(
        sm::channel_event(msg.event, *msg.channel, data_as_string(msg.data), &alice),
        R"({"event":"client-typing","channel":"presence-room","data":"{\"typing\":true}","user_id":"alice"})");
}

TEST(ServerMessage, EventDataWithEveryEscapeRoundTrips) {
    std::string data;
    for (int c = 0; c < 0x80; ++c) data.push_back(static_cast<char>(c));
    data += "\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80";  // é, U+2028, 😀 stay raw
    std::string text = sm::channel_event("e", "c", data, nullptr);
    json::object o = frame(text);
    EXPECT_EQ(o.at("data"), json::string(data));
    EXPECT_NE(text.find("\xe2\x80\xa8"), std::string::npos);
}

TEST(ServerMessage, OnlyEnvelopeFields) {
    // §2.2: never more than event, channel, data and user_id.
    const std::string uid = "u";
    std::vector<std::string> frames = {sm::connection_established("1.2", 120),
                                       sm::error(1, "m"),
                                       sm::channel_error("c", 1, "m"),
                                       sm::ping(),
                                       sm::pong(),
                                       sm::subscription_succeeded("c"),
                                       sm::presence_subscription_succeeded("presence-c", {}),
                                       sm::subscription_error("c", "t", "e", 1),
                                       sm::member_added("c", "u", "{}"),
                                       sm::member_removed("c", "u"),
                                       sm::channel_event("e", "c", "d", &uid),
                                       sm::cache_miss("c"),
                                       sm::signin_success("{}"),
                                       sm::watchlist_events({}),
                                       sm::subscription_count("c", 1)};
    for (const auto& f : frames) {
        json::object o = frame(f);
        EXPECT_TRUE(o.contains("event")) << f;
        for (const auto& kv : o) {
            std::string_view k = kv.key();
            EXPECT_TRUE(k == "event" || k == "channel" || k == "data" || k == "user_id") << f;
        }
    }
}

TEST(ServerMessage, EventNamesAreTheWireNames) {
    auto event_of = [](const std::string& text) {
        return std::string(frame(text).at("event").as_string());
    };
    EXPECT_EQ(event_of(sm::connection_established("1.2", 1)), wire::kConnectionEstablished);
    EXPECT_EQ(event_of(sm::error(1, "m")), wire::kError);
    EXPECT_EQ(event_of(sm::ping()), wire::kPing);
    EXPECT_EQ(event_of(sm::pong()), wire::kPong);
    EXPECT_EQ(event_of(sm::subscription_succeeded("c")), wire::kSubscriptionSucceeded);
    EXPECT_EQ(event_of(sm::subscription_error("c", "t", "e", 1)), wire::kSubscriptionError);
    EXPECT_EQ(event_of(sm::member_added("c", "u", "{}")), wire::kMemberAdded);
    EXPECT_EQ(event_of(sm::member_removed("c", "u")), wire::kMemberRemoved);
    EXPECT_EQ(event_of(sm::cache_miss("c")), wire::kCacheMiss);
    EXPECT_EQ(event_of(sm::signin_success("{}")), wire::kSigninSuccess);
    EXPECT_EQ(event_of(sm::watchlist_events({})), wire::kWatchlistEvents);
    EXPECT_EQ(event_of(sm::subscription_count("c", 1)), wire::kSubscriptionCount);
}

TEST(ServerMessage, UnvalidatedBytesNeverBreakUtf8) {
    // An app key is percent-decoded from the URL and echoed in the 4001 error; "%FF" must not
    // put a lone 0xFF byte on the wire, or the browser drops the connection without the 4001.
    std::string text = sm::error(4001, "App key \xff does not exist.");
    EXPECT_EQ(
        text,
        R"({"event":"pusher:error","data":{"code":4001,"message":"App key \ufffd does not exist."}})");
    EXPECT_TRUE(is_valid_utf8(text));
    EXPECT_TRUE(is_valid_utf8(sm::channel_event("e\xc3", "c", "\xed\xa0\x80", nullptr)));
}
