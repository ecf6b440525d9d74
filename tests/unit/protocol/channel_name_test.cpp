#include "protocol/channel_name.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace sockudo::protocol;

namespace {

constexpr size_t kDefaultMax = 200;

ChannelNameError validate(std::string_view name, size_t max = kDefaultMax) {
    return validate_channel_name(name, max);
}

struct Row {
    const char* name;
    ChannelType type;
    bool cache;
    bool auth;
    bool presence;
    bool client_events;
};

}  // namespace

// --- classification: the §4.2 table, row by row ----------------------------------------

TEST(ChannelClassify, SpecTable) {
    const Row rows[] = {
        {"orders", ChannelType::Public, false, false, false, false},
        {"cache-orders", ChannelType::Public, true, false, false, false},
        {"private-orders", ChannelType::Private, false, true, false, true},
        {"private-cache-orders", ChannelType::Private, true, true, false, true},
        {"private-encrypted-orders", ChannelType::Encrypted, false, true, false, false},
        {"private-encrypted-cache-orders", ChannelType::Encrypted, true, true, false, false},
        {"presence-room", ChannelType::Presence, false, true, true, true},
        {"presence-cache-room", ChannelType::Presence, true, true, true, true},
        {"#server-to-user-42", ChannelType::ServerToUser, false, false, false, false},
        {"my-cache-x", ChannelType::Public, false, false, false, false},
    };
    for (const Row& r : rows) {
        ChannelKind k = classify_channel(r.name);
        EXPECT_EQ(k.type, r.type) << r.name;
        EXPECT_EQ(k.cache, r.cache) << r.name;
        EXPECT_EQ(requires_auth(k), r.auth) << r.name;
        EXPECT_EQ(is_presence(k), r.presence) << r.name;
        EXPECT_EQ(client_events_allowed(k), r.client_events) << r.name;
    }
}

TEST(ChannelClassify, PrefixesAreAnchoredAndCaseSensitive) {
    for (std::string_view name :
         {"xprivate-a", "Private-a", "PRESENCE-a", "a-presence-b", "my-private-encrypted-x",
          "private", "presence", "private_a", "presence.a", " private-a", "server-to-user-1",
          "#server-to-user", "#Server-to-user-1"}) {
        ChannelKind k = classify_channel(name);
        EXPECT_EQ(k.type, ChannelType::Public) << name;
        EXPECT_FALSE(k.cache) << name;
    }
}

TEST(ChannelClassify, CacheNeedsTheWholePrefix) {
    for (std::string_view name :
         {"cache", "cache_x", "Cache-x", "xcache-x", "private-cachex", "presence-cache",
          "private-encrypted-cachex", "private-encrypted-x-cache-y", "encrypted-cache-x"}) {
        EXPECT_FALSE(classify_channel(name).cache) << name;
    }
    for (std::string_view name :
         {"cache-", "private-cache-", "presence-cache-", "private-encrypted-cache-"}) {
        EXPECT_TRUE(classify_channel(name).cache) << name;
    }
}

TEST(ChannelClassify, EncryptedIsCheckedBeforePrivate) {
    EXPECT_EQ(classify_channel("private-encrypted-").type, ChannelType::Encrypted);
    EXPECT_EQ(classify_channel("private-encrypted").type, ChannelType::Private);
    EXPECT_EQ(classify_channel("private-").type, ChannelType::Private);
    EXPECT_EQ(classify_channel("presence-").type, ChannelType::Presence);
}

TEST(ChannelClassify, LaravelNames) {
    EXPECT_EQ(classify_channel("private-App.Models.User.1").type, ChannelType::Private);
    EXPECT_EQ(classify_channel("presence-chat.42").type, ChannelType::Presence);
    EXPECT_EQ(validate("private-App.Models.User.1"), ChannelNameError::None);
    EXPECT_EQ(validate("presence-chat.42"), ChannelNameError::None);
}

TEST(ChannelClassify, EmptyAndBinaryNames) {
    EXPECT_EQ(classify_channel("").type, ChannelType::Public);
    EXPECT_FALSE(classify_channel("").cache);
    EXPECT_EQ(classify_channel(std::string_view("private-\0x", 10)).type, ChannelType::Private);
}

// --- validation (§4.1) ---------------------------------------------------------------------

TEST(ChannelValidate, EveryAllowedCharacter) {
    EXPECT_EQ(validate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-=@,.;"),
              ChannelNameError::None);
    for (char c : std::string_view("_-=@,.;")) {
        EXPECT_EQ(validate(std::string(1, c)), ChannelNameError::None) << c;
    }
}

TEST(ChannelValidate, EveryOtherByteIsRejected) {
    const std::string_view allowed =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-=@,.;";
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        if (allowed.find(c) != std::string_view::npos) continue;
        std::string name = "private-a";
        name.push_back(c);
        name += "b";
        EXPECT_EQ(validate(name), ChannelNameError::InvalidCharacters) << "byte " << b;
        EXPECT_EQ(validate(std::string(1, c)), ChannelNameError::InvalidCharacters) << "byte " << b;
    }
}

TEST(ChannelValidate, CommonMistakes) {
    for (std::string_view name :
         {"my channel", "a:b",  "a/b", "a#b",   "#a",  "a*",  "a?b", "é",    "private-\xc3\xa9",
          "a\tb",       "a\nb", "a+b", "a%20b", "a|b", "{a}", "[a]", "a\"b", "a'b",
          "a\\b",       "a&b",  "a!b", "a~b"}) {
        EXPECT_EQ(validate(name), ChannelNameError::InvalidCharacters) << name;
    }
}

TEST(ChannelValidate, Empty) {
    EXPECT_EQ(validate(""), ChannelNameError::Empty);
    EXPECT_EQ(validate("", 0), ChannelNameError::Empty);
}

TEST(ChannelValidate, LengthCountsThePrefix) {
    const std::string prefix = "presence-";
    const std::string at_limit = prefix + std::string(kDefaultMax - prefix.size(), 'a');
    ASSERT_EQ(at_limit.size(), kDefaultMax);
    EXPECT_EQ(validate(at_limit), ChannelNameError::None);
    EXPECT_EQ(validate(at_limit + "a"), ChannelNameError::TooLong);
    EXPECT_EQ(validate(std::string(164, 'a'), 164), ChannelNameError::None);
    EXPECT_EQ(validate(std::string(165, 'a'), 164), ChannelNameError::TooLong);
    EXPECT_EQ(validate("a", 1), ChannelNameError::None);
    EXPECT_EQ(validate("ab", 1), ChannelNameError::TooLong);
    EXPECT_EQ(validate(std::string(1 << 20, 'a')), ChannelNameError::TooLong);
}

TEST(ChannelValidate, ServerToUserChannel) {
    EXPECT_EQ(validate("#server-to-user-42"), ChannelNameError::None);
    EXPECT_EQ(validate("#server-to-user-alice@example.com"), ChannelNameError::None);
    EXPECT_EQ(validate("#server-to-user-a_b-c=d,e.f;g"), ChannelNameError::None);
    // The id part follows the ordinary character rules and must not be empty.
    for (std::string_view name : {"#server-to-user-", "#server-to-user-a b", "#server-to-user-a#b",
                                  "#server-to-user-#server-to-user-1", "#server-to-user-a:b",
                                  "#server-to-user", "#server-to-user_1", "#Server-to-user-1",
                                  "##server-to-user-1", "#private-a", "#cache-a", "#"}) {
        EXPECT_EQ(validate(name), ChannelNameError::InvalidCharacters) << name;
    }
    // '#' anywhere else is reserved (Sockudo's '#'-anywhere leniency is not copied).
    EXPECT_EQ(validate("private-#server-to-user-1"), ChannelNameError::InvalidCharacters);
    EXPECT_EQ(validate("presence-a#b"), ChannelNameError::InvalidCharacters);
}

TEST(ChannelValidate, ServerToUserLengthCountsTheWholeName) {
    const std::string prefix = "#server-to-user-";
    EXPECT_EQ(validate(prefix + std::string(kDefaultMax - prefix.size(), '1')),
              ChannelNameError::None);
    EXPECT_EQ(validate(prefix + std::string(kDefaultMax - prefix.size() + 1, '1')),
              ChannelNameError::TooLong);
}

TEST(ChannelValidate, BinaryNames) {
    EXPECT_EQ(validate(std::string_view("a\0b", 3)), ChannelNameError::InvalidCharacters);
    EXPECT_EQ(validate(std::string_view("#server-to-user-1\0", 18)),
              ChannelNameError::InvalidCharacters);
}

// --- server_to_user_id ------------------------------------------------------------------------

TEST(ServerToUserId, ExtractsTheId) {
    EXPECT_EQ(server_to_user_id("#server-to-user-42"), "42");
    EXPECT_EQ(server_to_user_id("#server-to-user-alice@example.com"), "alice@example.com");
    EXPECT_EQ(server_to_user_id("#server-to-user-"), "");
}

TEST(ServerToUserId, EmptyForOtherNames) {
    for (std::string_view name : {"", "#", "#server-to-user", "server-to-user-42", "private-42",
                                  "x#server-to-user-42", "#SERVER-TO-USER-42"}) {
        EXPECT_EQ(server_to_user_id(name), "") << name;
    }
}

TEST(ServerToUserId, ClassificationAndIdAgree) {
    // A name classified as server-to-user always yields its id, and vice versa.
    for (std::string_view name :
         {"#server-to-user-1", "#server-to-user-abc", "private-1", "orders"}) {
        bool s2u = classify_channel(name).type == ChannelType::ServerToUser;
        EXPECT_EQ(s2u, !server_to_user_id(name).empty()) << name;
    }
}
