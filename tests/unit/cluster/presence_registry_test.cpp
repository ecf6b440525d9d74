#include "cluster/presence_registry.hpp"

#include <gtest/gtest.h>

using namespace sockudo::cluster;
using sockudo::protocol::PresenceMember;

TEST(PresenceRegistry, TracksMembersAndChannelsPerNode) {
    PresenceRegistry r;
    r.slice("b").join("app", "presence-x", "alice", R"({"n":1})");
    r.slice("c").join("app", "presence-x", "alice", R"({"n":2})");
    r.slice("b").occupy("app", "presence-x");
    EXPECT_TRUE(r.has_member("app", "presence-x", "alice"));
    EXPECT_FALSE(r.has_member("other-app", "presence-x", "alice"));
    EXPECT_TRUE(r.has_channel("app", "presence-x"));
    r.slice("b").leave("app", "presence-x", "alice");
    EXPECT_TRUE(r.has_member("app", "presence-x", "alice"));  // still on c
    r.slice("c").leave("app", "presence-x", "alice");
    EXPECT_FALSE(r.has_member("app", "presence-x", "alice"));
    r.slice("b").vacate("app", "presence-x");
    EXPECT_FALSE(r.has_channel("app", "presence-x"));
    EXPECT_TRUE(r.slice("b").empty());
}

TEST(PresenceRegistry, MergeAddsOnlyUnknownUsers) {
    PresenceRegistry r;
    r.slice("b").join("app", "presence-x", "alice", R"({"remote":true})");
    r.slice("b").join("app", "presence-x", "bob", "{}");
    r.slice("c").join("app", "presence-x", "bob", "{}");
    std::vector<PresenceMember> members{{"alice", R"({"local":true})"}};
    r.merge_members("app", "presence-x", members);
    ASSERT_EQ(members.size(), 2u);
    EXPECT_EQ(members[0].user_info_json, R"({"local":true})");
    EXPECT_EQ(members[1].user_id, "bob");
}

TEST(PresenceRegistry, RemoveReturnsTheNodesSlice) {
    PresenceRegistry r;
    r.slice("b").join("app", "presence-x", "alice", "{}");
    NodeSlice gone = r.remove("b");
    EXPECT_TRUE(gone.has_member("app", "presence-x", "alice"));
    EXPECT_FALSE(r.has_member("app", "presence-x", "alice"));
    EXPECT_TRUE(r.remove("unknown").empty());
}

TEST(PresenceRegistry, SliceSyncRoundTrip) {
    NodeSlice s;
    s.join("app", "presence-x", "alice", R"({"name":"Alice"})");
    s.join("app2", "presence-y", "bob", "{}");
    s.occupy("app", "presence-x");
    s.occupy("app", "orders");
    auto back = decode_slice(encode_slice(s));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->members, s.members);
    EXPECT_EQ(back->channels, s.channels);
    EXPECT_FALSE(decode_slice("{}"));
    EXPECT_FALSE(decode_slice(R"({"apps":{"a":5}})"));
    auto empty = decode_slice(encode_slice(NodeSlice{}));
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}
