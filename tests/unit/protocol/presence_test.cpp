#include "protocol/presence.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

using namespace sockudo::protocol;

namespace {

PresenceMember member_ok(std::string_view channel_data) {
    PresenceMember m;
    EXPECT_EQ(parse_channel_data(channel_data, m), ChannelDataError::None) << channel_data;
    return m;
}

ChannelDataError member_error(std::string_view channel_data) {
    PresenceMember m;
    return parse_channel_data(channel_data, m);
}

UserData user_ok(std::string_view user_data) {
    UserData u;
    EXPECT_EQ(parse_user_data(user_data, u), UserDataError::None) << user_data;
    return u;
}

UserDataError user_error(std::string_view user_data) {
    UserData u;
    return parse_user_data(user_data, u);
}

std::string repeat(std::string_view s, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out.append(s);
    return out;
}

}  // namespace

// --- channel_data: the vectors ---------------------------------------------------------

TEST(ChannelData, Tv3NumericUserIdBecomesDecimalString) {
    PresenceMember m = member_ok(R"({"user_id":10,"user_info":{"name":"Mr. Channels"}})");
    EXPECT_EQ(m.user_id, "10");
    EXPECT_EQ(m.user_info_json, R"({"name":"Mr. Channels"})");
}

TEST(ChannelData, Tv4StringUserId) {
    PresenceMember m = member_ok(R"({"user_id":"10","user_info":{"name":"Mr. Channels"}})");
    EXPECT_EQ(m.user_id, "10");
    EXPECT_EQ(m.user_info_json, R"({"name":"Mr. Channels"})");
}

TEST(ChannelData, Tv5Alice) {
    PresenceMember m = member_ok(R"({"user_id":"alice","user_info":{"name":"Alice"}})");
    EXPECT_EQ(m.user_id, "alice");
    EXPECT_EQ(m.user_info_json, R"({"name":"Alice"})");
}

// --- user_id --------------------------------------------------------------------------

TEST(ChannelData, IntegerUserIdsOfEveryRange) {
    EXPECT_EQ(member_ok(R"({"user_id":0})").user_id, "0");
    EXPECT_EQ(member_ok(R"({"user_id":1})").user_id, "1");
    EXPECT_EQ(member_ok(R"({"user_id":-7})").user_id, "-7");
    EXPECT_EQ(member_ok(R"({"user_id":9223372036854775807})").user_id, "9223372036854775807");
    EXPECT_EQ(member_ok(R"({"user_id":-9223372036854775808})").user_id, "-9223372036854775808");
    EXPECT_EQ(member_ok(R"({"user_id":18446744073709551615})").user_id, "18446744073709551615");
}

TEST(ChannelData, NumericAndStringIdsOfTheSameUserAgree) {
    // Laravel sends 10, a JS app server "10": both must be the same member.
    EXPECT_EQ(member_ok(R"({"user_id":10})").user_id, member_ok(R"({"user_id":"10"})").user_id);
}

TEST(ChannelData, FractionalNumbersAreInvalid) {
    for (std::string_view text :
         {R"({"user_id":10.5})", R"({"user_id":10.0})", R"({"user_id":1e3})", R"({"user_id":-0.0})",
          R"({"user_id":1e400})"}) {
        EXPECT_EQ(member_error(text), ChannelDataError::InvalidUserId) << text;
    }
}

TEST(ChannelData, OtherUserIdTypesAreInvalid) {
    for (std::string_view text :
         {R"({"user_id":null})", R"({"user_id":true})", R"({"user_id":false})", R"({"user_id":{}})",
          R"({"user_id":{"id":"a"}})", R"({"user_id":[]})", R"({"user_id":["a"]})",
          R"({"user_id":""})"}) {
        EXPECT_EQ(member_error(text), ChannelDataError::InvalidUserId) << text;
    }
}

TEST(ChannelData, MissingUserId) {
    for (std::string_view text : {R"({})", R"({"user_info":{"name":"x"}})", R"({"userId":"a"})",
                                  R"({"User_id":"a"})", R"({"id":"a"})"}) {
        EXPECT_EQ(member_error(text), ChannelDataError::MissingUserId) << text;
    }
}

TEST(ChannelData, NotAnObjectOrNotJson) {
    for (std::string_view text :
         {R"([])", R"("alice")", R"(10)", R"(null)", R"("{\"user_id\":\"a\"}")"}) {
        EXPECT_EQ(member_error(text), ChannelDataError::NotAnObject) << text;
    }
    for (std::string_view text : {"", "{", R"({"user_id":"a"} x)", R"({'user_id':'a'})",
                                  R"({"user_id":"a",})", "{\"user_id\":\"\xff\"}"}) {
        EXPECT_EQ(member_error(text), ChannelDataError::InvalidJson) << text;
    }
}

TEST(ChannelData, UserIdStringsAreKeptExactly) {
    EXPECT_EQ(member_ok(R"({"user_id":" a b "})").user_id, " a b ");
    EXPECT_EQ(member_ok(R"({"user_id":"a\"b\\c"})").user_id, "a\"b\\c");
    EXPECT_EQ(member_ok(R"({"user_id":"\u00e9"})").user_id, "\xc3\xa9");
    EXPECT_EQ(member_ok(R"({"user_id":"0010"})").user_id, "0010");
}

TEST(ChannelData, UserIdLengthLimitIs128) {
    EXPECT_EQ(member_ok(R"({"user_id":")" + std::string(128, 'a') + R"("})").user_id.size(), 128u);
    EXPECT_EQ(member_error(R"({"user_id":")" + std::string(129, 'a') + R"("})"),
              ChannelDataError::UserIdTooLong);
    EXPECT_EQ(member_error(R"({"user_id":")" + std::string(100000, 'a') + R"("})"),
              ChannelDataError::UserIdTooLong);
}

TEST(ChannelData, UserIdLengthCountsCharactersNotBytes) {
    // §7.3.1/§7.3.3 count characters: 128 two-byte characters are within the limit.
    const std::string e_acute = "\xc3\xa9";
    PresenceMember m = member_ok(R"({"user_id":")" + repeat(e_acute, 128) + R"("})");
    EXPECT_EQ(m.user_id, repeat(e_acute, 128));
    EXPECT_EQ(member_error(R"({"user_id":")" + repeat(e_acute, 129) + R"("})"),
              ChannelDataError::UserIdTooLong);
    const std::string emoji = "\xf0\x9f\x98\x80";
    EXPECT_EQ(member_ok(R"({"user_id":")" + repeat(emoji, 128) + R"("})").user_id.size(), 512u);
    EXPECT_EQ(member_error(R"({"user_id":")" + repeat(emoji, 129) + R"("})"),
              ChannelDataError::UserIdTooLong);
}

// --- user_info ---------------------------------------------------------------------------

TEST(ChannelData, UserInfoAbsentOrNullIsEmptyObject) {
    EXPECT_EQ(member_ok(R"({"user_id":"a"})").user_info_json, "{}");
    EXPECT_EQ(member_ok(R"({"user_id":"a","user_info":null})").user_info_json, "{}");
}

TEST(ChannelData, UserInfoIsCompacted) {
    EXPECT_EQ(member_ok(R"({"user_id":"a","user_info": { "name" : "A" , "tags" : [ 1 , true ] } })")
                  .user_info_json,
              R"({"name":"A","tags":[1,true]})");
}

TEST(ChannelData, UserInfoOfAnyJsonType) {
    EXPECT_EQ(member_ok(R"({"user_id":"a","user_info":"text"})").user_info_json, R"("text")");
    EXPECT_EQ(member_ok(R"({"user_id":"a","user_info":7})").user_info_json, "7");
    EXPECT_EQ(member_ok(R"({"user_id":"a","user_info":false})").user_info_json, "false");
    EXPECT_EQ(member_ok(R"({"user_id":"a","user_info":[1,"x"]})").user_info_json, R"([1,"x"])");
    EXPECT_EQ(member_ok(R"({"user_id":"a","user_info":{}})").user_info_json, "{}");
}

TEST(ChannelData, UserInfoEscapesSurviveReserialisation) {
    std::string info =
        member_ok(
            R"({"user_id":"a","user_info":{"q":"\"","b":"\\","nl":"\n","c":"\u0001","e":"\u00e9"}})")
            .user_info_json;
    boost::system::error_code ec;
    auto v = boost::json::parse(info, ec);
    ASSERT_FALSE(ec) << info;
    EXPECT_EQ(v.at("q").as_string(), "\"");
    EXPECT_EQ(v.at("b").as_string(), "\\");
    EXPECT_EQ(v.at("nl").as_string(), "\n");
    EXPECT_EQ(v.at("c").as_string(), "\x01");
    EXPECT_EQ(v.at("e").as_string(), "\xc3\xa9");
}

TEST(ChannelData, UserInfoIsAlwaysValidJson) {
    // The text is spliced raw into subscription_succeeded; a non-JSON number would make the
    // whole presence payload unparsable for every member of the channel.
    PresenceMember m = member_ok(R"({"user_id":"a","user_info":{"score":1e400,"n":[-1e999]}})");
    boost::system::error_code ec;
    boost::json::parse(m.user_info_json, ec);
    EXPECT_FALSE(ec) << m.user_info_json;
    EXPECT_EQ(m.user_info_json, R"({"score":null,"n":[null]})");
}

TEST(ChannelData, DeepUserInfoIsRejected) {
    std::string ok =
        R"({"user_id":"a","user_info":)" + std::string(63, '[') + std::string(63, ']') + "}";
    EXPECT_EQ(member_error(ok), ChannelDataError::None);
    std::string deep =
        R"({"user_id":"a","user_info":)" + std::string(64, '[') + std::string(64, ']') + "}";
    EXPECT_EQ(member_error(deep), ChannelDataError::InvalidJson);
}

TEST(ChannelData, DuplicateUserIdLastWins) {
    EXPECT_EQ(member_ok(R"({"user_id":"a","user_id":"b"})").user_id, "b");
}

// --- sign-in user_data (§9.1) ----------------------------------------------------------

TEST(UserData, Tv6MinimalUser) {
    UserData u = user_ok(R"({"id":"12345"})");
    EXPECT_EQ(u.id, "12345");
    EXPECT_EQ(u.user_info_json, "{}");
    EXPECT_TRUE(u.watchlist.empty());
}

TEST(UserData, Tv7UserInfoAndWatchlist) {
    UserData u = user_ok(R"({"id":"12345","user_info":{"name":"Ada"},"watchlist":["222","333"]})");
    EXPECT_EQ(u.id, "12345");
    EXPECT_EQ(u.user_info_json, R"({"name":"Ada"})");
    EXPECT_EQ(u.watchlist, (std::vector<std::string>{"222", "333"}));
}

TEST(UserData, IdMustBeANonEmptyString) {
    // pusher-js itself refuses a user whose id is not a non-empty string.
    for (std::string_view text :
         {R"({"id":12345})", R"({"id":""})", R"({"id":null})", R"({"id":true})", R"({"id":["1"]})",
          R"({"id":{"v":"1"}})", R"({"id":1.5})"}) {
        EXPECT_EQ(user_error(text), UserDataError::InvalidId) << text;
    }
    EXPECT_EQ(user_error(R"({"user_id":"1"})"), UserDataError::MissingId);
    EXPECT_EQ(user_error(R"({})"), UserDataError::MissingId);
}

TEST(UserData, NotAnObjectOrNotJson) {
    EXPECT_EQ(user_error(R"(["12345"])"), UserDataError::NotAnObject);
    EXPECT_EQ(user_error(R"("12345")"), UserDataError::NotAnObject);
    EXPECT_EQ(user_error(""), UserDataError::InvalidJson);
    EXPECT_EQ(user_error(R"({"id":"1")"), UserDataError::InvalidJson);
    EXPECT_EQ(user_error(R"({"id":"1"}{})"), UserDataError::InvalidJson);
}

TEST(UserData, WatchlistKeepsOnlyStrings) {
    UserData u = user_ok(R"({"id":"1","watchlist":["a",2,null,"b",{"id":"c"},["d"],""]})");
    EXPECT_EQ(u.watchlist, (std::vector<std::string>{"a", "b", ""}));
    EXPECT_TRUE(user_ok(R"({"id":"1","watchlist":"a"})").watchlist.empty());
    EXPECT_TRUE(user_ok(R"({"id":"1","watchlist":{"0":"a"}})").watchlist.empty());
    EXPECT_TRUE(user_ok(R"({"id":"1","watchlist":null})").watchlist.empty());
}

TEST(UserData, ReusedOutputDropsTheOldWatchlist) {
    UserData u;
    ASSERT_EQ(parse_user_data(R"({"id":"1","watchlist":["a"]})", u), UserDataError::None);
    ASSERT_EQ(parse_user_data(R"({"id":"2"})", u), UserDataError::None);
    EXPECT_EQ(u.id, "2");
    EXPECT_TRUE(u.watchlist.empty());
    EXPECT_EQ(u.user_info_json, "{}");
}

TEST(UserData, UserInfoNullIsEmptyObject) {
    EXPECT_EQ(user_ok(R"({"id":"1","user_info":null})").user_info_json, "{}");
    EXPECT_EQ(user_ok(R"({"id":"1","user_info":{ "a" : 1 }})").user_info_json, R"({"a":1})");
}

TEST(ChannelData, LoneSurrogateInUserInfoIsNotAnError) {
    // A Node app server's JSON.stringify writes a truncated emoji this way.
    PresenceMember m = member_ok(R"({"user_id":"a","user_info":{"name":"Bob \ud83d"}})");
    EXPECT_EQ(m.user_info_json, "{\"name\":\"Bob \xef\xbf\xbd\"}");
}
