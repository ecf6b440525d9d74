#include "protocol/signature.hpp"

#include <gtest/gtest.h>

#include <string>

#include "protocol/channel_name.hpp"

using namespace sockudo::protocol;

namespace {

// Credentials of every protocol-v1 §10.2 and §12.2 vector (the Pusher documentation ones).
constexpr std::string_view kKey = "278d425bdf160c739803";
constexpr std::string_view kSecret = "7ad3773142a6692b25b8";
constexpr std::string_view kSocket = "1234.1234";

}  // namespace

// --- digests against published reference values ----------------------------------------

TEST(Digest, Sha256KnownAnswers) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, Md5KnownAnswers) {
    EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(md5_hex(std::string_view()), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(Digest, HmacSha256Rfc4231) {
    // RFC 4231 test case 2.
    EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // RFC 4231 test case 6: a key longer than the block size is hashed first.
    EXPECT_EQ(hmac_sha256_hex(std::string(131, '\xaa'),
                              "Test Using Larger Than Block-Size Key - Hash Key First"),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    // A key of exactly one block is used as it is; empty key and message are valid input.
    EXPECT_EQ(hmac_sha256_hex(std::string(64, 'k'), "message"),
              "890f3a16e0ca0aaa3bf180f70fa8e3970b3fd6505e98fde157988dcc19d1685c");
    EXPECT_EQ(hmac_sha256_hex(std::string_view(), std::string_view()),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Digest, InlineDigestsMatchTheStringsWhateverRanBefore) {
    // One thread alternating the algorithms, as a signed request does (MD5 of the body, then
    // the HMAC): each keeps giving its known answer.
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(md5("abc").view(), "900150983cd24fb0d6963f7d28e17f72");
        EXPECT_EQ(hmac_sha256("Jefe", "what do ya want for nothing?").view(),
                  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        EXPECT_EQ(sha256_hex("abc"),
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
    EXPECT_EQ(md5("").view(), md5_hex(""));
    EXPECT_EQ(hmac_sha256(kSecret, "x").view(), hmac_sha256_hex(kSecret, "x"));
}

TEST(Digest, HmacWithEmptyKeyStillProducesADigest) {
    // An empty digest would make "key:" a valid signature for anything.
    EXPECT_EQ(hmac_sha256_hex("", ""),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    EXPECT_EQ(hmac_sha256_hex(std::string_view(), std::string_view()),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Digest, HexIsLowercaseAndFullLength) {
    std::string h = hmac_sha256_hex(kSecret, "x");
    ASSERT_EQ(h.size(), 64u);
    for (char c : h) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << h;
    EXPECT_EQ(md5_hex("x").size(), 32u);
}

TEST(Digest, MessageWithEmbeddedNulIsSignedWhole) {
    std::string with_nul("a\0b", 3);
    EXPECT_NE(hmac_sha256_hex(kSecret, with_nul), hmac_sha256_hex(kSecret, "a"));
    EXPECT_NE(sha256_hex(with_nul), sha256_hex("a"));
}

// --- constant_time_equals ----------------------------------------------------------------

TEST(ConstantTimeEquals, EqualAndUnequal) {
    EXPECT_TRUE(constant_time_equals("", ""));
    EXPECT_TRUE(constant_time_equals("abc", "abc"));
    EXPECT_FALSE(constant_time_equals("abc", "abd"));
    EXPECT_FALSE(constant_time_equals("abc", "Abc"));
}

TEST(ConstantTimeEquals, LengthDifferenceIsNeverEqual) {
    EXPECT_FALSE(constant_time_equals("abc", "ab"));
    EXPECT_FALSE(constant_time_equals("ab", "abc"));
    EXPECT_FALSE(constant_time_equals("", "a"));
    // A prefix padded with NULs must not pass by comparing against the implicit zero fill.
    EXPECT_FALSE(constant_time_equals(std::string_view("ab\0", 3), "ab"));
    EXPECT_FALSE(constant_time_equals("ab", std::string_view("ab\0", 3)));
}

TEST(ConstantTimeIequals, IgnoresCaseOfLettersOnly) {
    EXPECT_TRUE(constant_time_iequals("5bdcc146bf", "5BDCC146BF"));
    EXPECT_TRUE(constant_time_iequals("", ""));
    EXPECT_FALSE(constant_time_iequals("5bdcc146bf", "5bdcc146b0"));
    EXPECT_FALSE(constant_time_iequals("abc", "ab"));
    EXPECT_FALSE(constant_time_iequals("ab", std::string_view("ab\0", 3)));
    EXPECT_FALSE(constant_time_iequals("a-", "a\r")) << "only letters fold";
}

TEST(ConstantTimeEquals, HighBytes) {
    EXPECT_TRUE(constant_time_equals("\xff\x80", "\xff\x80"));
    EXPECT_FALSE(constant_time_equals("\xff\x80", "\xff\x81"));
}

// --- TV-2..TV-8: channel and user auth ---------------------------------------------------

TEST(ChannelAuth, Tv2PrivateChannel) {
    EXPECT_EQ(hmac_sha256_hex(kSecret, "1234.1234:private-foobar"),
              "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
    EXPECT_EQ(
        channel_auth(kKey, kSecret, kSocket, "private-foobar", nullptr),
        "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
    EXPECT_TRUE(verify_channel_auth(
        kKey, kSecret, kSocket, "private-foobar", nullptr,
        "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"));
}

TEST(ChannelAuth, Tv3PresenceNumericUserId) {
    const std::string channel_data = R"({"user_id":10,"user_info":{"name":"Mr. Channels"}})";
    EXPECT_EQ(hmac_sha256_hex(kSecret, "1234.1234:presence-foobar:" + channel_data),
              "31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80");
    EXPECT_EQ(
        channel_auth(kKey, kSecret, kSocket, "presence-foobar", &channel_data),
        "278d425bdf160c739803:31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80");
}

TEST(ChannelAuth, Tv3DocsDigestBelongsToTheOlderExample) {
    // The digest printed in the Pusher docs is for "Mr. Pusher"; it must not verify "Mr. Channels".
    const std::string channels = R"({"user_id":10,"user_info":{"name":"Mr. Channels"}})";
    const std::string pusher = R"({"user_id":10,"user_info":{"name":"Mr. Pusher"}})";
    const std::string docs =
        "278d425bdf160c739803:afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c";
    EXPECT_FALSE(verify_channel_auth(kKey, kSecret, kSocket, "presence-foobar", &channels, docs));
    EXPECT_TRUE(verify_channel_auth(kKey, kSecret, kSocket, "presence-foobar", &pusher, docs));
}

TEST(ChannelAuth, Tv4PresenceStringUserId) {
    const std::string channel_data = R"({"user_id":"10","user_info":{"name":"Mr. Channels"}})";
    EXPECT_EQ(
        channel_auth(kKey, kSecret, kSocket, "presence-foobar", &channel_data),
        "278d425bdf160c739803:4c6d8fc42a207ba96a0779844171b0bb819d96ffceef9609f5cce596ab17a800");
}

TEST(ChannelAuth, Tv5PresenceRoom) {
    const std::string channel_data = R"({"user_id":"alice","user_info":{"name":"Alice"}})";
    EXPECT_TRUE(verify_channel_auth(
        kKey, kSecret, kSocket, "presence-room", &channel_data,
        "278d425bdf160c739803:54e277177d8e317550b1ac149991418f4a61bbfc5cff3d5bd66bb2e7a3d776a2"));
}

TEST(ChannelAuth, Tv8EncryptedChannel) {
    EXPECT_EQ(hmac_sha256_hex(kSecret, "1234.1234:private-encrypted-foobar"),
              "e6a18892d037c5d5e76a2265df4f086ffc38631605530dfd214aa5bff495f533");
    EXPECT_EQ(
        channel_auth(kKey, kSecret, kSocket, "private-encrypted-foobar", nullptr),
        "278d425bdf160c739803:e6a18892d037c5d5e76a2265df4f086ffc38631605530dfd214aa5bff495f533");
}

TEST(ChannelAuth, EmptyChannelDataIsSignedWithItsSeparator) {
    // Present-but-empty channel_data signs "sid:channel:", which differs from no channel_data.
    const std::string empty;
    EXPECT_EQ(channel_auth(kKey, kSecret, kSocket, "presence-x", &empty),
              std::string(kKey) + ":" + hmac_sha256_hex(kSecret, "1234.1234:presence-x:"));
    EXPECT_NE(channel_auth(kKey, kSecret, kSocket, "presence-x", &empty),
              channel_auth(kKey, kSecret, kSocket, "presence-x", nullptr));
}

TEST(ChannelAuth, RejectsEverythingThatIsNotTheExactExpectedString) {
    const std::string good =
        "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";
    auto verify = [&](std::string_view sid, std::string_view channel, std::string_view auth) {
        return verify_channel_auth(kKey, kSecret, sid, channel, nullptr, auth);
    };
    EXPECT_TRUE(verify(kSocket, "private-foobar", good));
    EXPECT_FALSE(verify("1234.1235", "private-foobar", good));  // another connection's id
    EXPECT_FALSE(verify(kSocket, "private-foobaz", good));
    EXPECT_FALSE(verify(kSocket, "private-foobar", ""));
    EXPECT_FALSE(verify(kSocket, "private-foobar", good.substr(21)));         // signature only
    EXPECT_FALSE(verify(kSocket, "private-foobar", good.substr(0, 84)));      // truncated
    EXPECT_FALSE(verify(kSocket, "private-foobar", good + "0"));              // extended
    EXPECT_FALSE(verify(kSocket, "private-foobar", "3:" + good.substr(21)));  // app id, not key
    std::string flipped = good;
    flipped.back() = '5';
    EXPECT_FALSE(verify(kSocket, "private-foobar", flipped));
    // Wrong secret.
    EXPECT_FALSE(verify_channel_auth(kKey, "other", kSocket, "private-foobar", nullptr, good));
}

TEST(ChannelAuth, ChannelDataIsSignedByteExact) {
    // Same JSON, different spacing or key order: a different signature (§10.3).
    const std::string sent = R"({"user_id":"alice","user_info":{"name":"Alice"}})";
    const std::string spaced = R"({"user_id": "alice", "user_info": {"name": "Alice"}})";
    const std::string reordered = R"({"user_info":{"name":"Alice"},"user_id":"alice"})";
    const std::string auth = channel_auth(kKey, kSecret, kSocket, "presence-room", &sent);
    EXPECT_TRUE(verify_channel_auth(kKey, kSecret, kSocket, "presence-room", &sent, auth));
    EXPECT_FALSE(verify_channel_auth(kKey, kSecret, kSocket, "presence-room", &spaced, auth));
    EXPECT_FALSE(verify_channel_auth(kKey, kSecret, kSocket, "presence-room", &reordered, auth));
    EXPECT_FALSE(verify_channel_auth(kKey, kSecret, kSocket, "presence-room", nullptr, auth));
}

TEST(UserAuth, Tv6SignIn) {
    EXPECT_EQ(hmac_sha256_hex(kSecret, R"(1234.1234::user::{"id":"12345"})"),
              "4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba");
    EXPECT_EQ(
        user_auth(kKey, kSecret, kSocket, R"({"id":"12345"})"),
        "278d425bdf160c739803:4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba");
}

TEST(UserAuth, Tv7SignInWithUserInfoAndWatchlist) {
    const std::string user_data =
        R"({"id":"12345","user_info":{"name":"Ada"},"watchlist":["222","333"]})";
    EXPECT_EQ(
        user_auth(kKey, kSecret, kSocket, user_data),
        "278d425bdf160c739803:eb208fe4894dd6df1c387ef098c88cec9ed6cdae3d43bf317c8e3e13f3ab2d47");
    EXPECT_TRUE(verify_user_auth(
        kKey, kSecret, kSocket, user_data,
        "278d425bdf160c739803:eb208fe4894dd6df1c387ef098c88cec9ed6cdae3d43bf317c8e3e13f3ab2d47"));
}

TEST(UserAuth, DocumentationFormWithUserSeparatorIsRejected) {
    // The protocol page shows "<key>::user::<signature>"; SDKs send "<key>:<signature>" (§5.5).
    const std::string sig = "4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba";
    EXPECT_FALSE(verify_user_auth(kKey, kSecret, kSocket, R"({"id":"12345"})",
                                  std::string(kKey) + "::user::" + sig));
    EXPECT_TRUE(verify_user_auth(kKey, kSecret, kSocket, R"({"id":"12345"})",
                                 std::string(kKey) + ":" + sig));
}

TEST(UserAuth, ChannelAuthCannotBeReplayedAsSignIn) {
    // "sid:" + ":user::{...}" is the sign-in string, so only channel-name validation (no ':')
    // keeps an app's channel signature from being usable as a sign-in signature.
    const std::string user_data = R"({"id":"12345"})";
    const std::string colliding_channel = ":user::" + user_data;
    EXPECT_EQ(channel_auth(kKey, kSecret, kSocket, colliding_channel, nullptr),
              user_auth(kKey, kSecret, kSocket, user_data));
    EXPECT_NE(validate_channel_name(colliding_channel, 200), ChannelNameError::None);
    // And a sign-in is bound to the connection it was made for.
    EXPECT_FALSE(verify_user_auth(kKey, kSecret, "1234.1235", user_data,
                                  user_auth(kKey, kSecret, kSocket, user_data)));
}

// --- TV-9: encrypted channel shared secret -----------------------------------------------

TEST(SharedSecret, Tv9Derivation) {
    const std::string_view master = "01234567890123456789012345678901";
    EXPECT_EQ(sha256_hex(std::string("private-encrypted-foobar") + std::string(master)),
              "51e772e9fac5dbfddccffa0cce20d0d2919d6a132f139d3f374c59f1e2981088");
    EXPECT_EQ(shared_secret_base64("private-encrypted-foobar", master),
              "Uedy6frF2/3cz/oMziDQ0pGdahMvE50/N0xZ8eKYEIg=");
}

TEST(SharedSecret, AlwaysFortyFourBase64Chars) {
    for (std::string_view channel : {"", "private-encrypted-a", "private-encrypted-bb"}) {
        std::string s = shared_secret_base64(channel, "k");
        EXPECT_EQ(s.size(), 44u) << channel;
        EXPECT_EQ(s.back(), '=');
    }
    EXPECT_NE(shared_secret_base64("private-encrypted-a", "k"),
              shared_secret_base64("private-encrypted-b", "k"));
}

// --- TV-17..TV-19: webhook signatures ------------------------------------------------------

TEST(WebhookSignature, Tv17ChannelOccupied) {
    EXPECT_EQ(
        hmac_sha256_hex(
            kSecret,
            R"({"time_ms":1327078148132,"events":[{"name":"channel_occupied","channel":"test_channel"}]})"),
        "709fdb84c03664445f7698120b0edf0acc1ab1c8c6e93a0368c61841d6b998aa");
}

TEST(WebhookSignature, Tv18Batched) {
    EXPECT_EQ(
        hmac_sha256_hex(
            kSecret,
            R"({"time_ms":1700000000000,"events":[{"name":"member_added","channel":"presence-room","user_id":"alice"},{"name":"channel_occupied","channel":"presence-room"}]})"),
        "898e5c1f6d76bf9ab7d5ae168a02130d446fab19d0a8b8683120e83bc1962d3d");
}

TEST(WebhookSignature, Tv19ClientEvent) {
    EXPECT_EQ(
        hmac_sha256_hex(
            kSecret,
            R"({"time_ms":1700000000000,"events":[{"name":"client_event","channel":"presence-room","event":"client-typing","data":"{\"typing\":true}","socket_id":"1234.1234","user_id":"10"}]})"),
        "ddec68fb3a17f9fccba84d71e3711df91220f43401b0ea7fb56950fd65a5c26c");
}
