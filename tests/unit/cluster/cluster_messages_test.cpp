#include "cluster/cluster_messages.hpp"

#include <gtest/gtest.h>

using namespace sockudo::cluster;

TEST(ClusterMessages, BroadcastRoundTripKeepsTheFrameAndTheExcludedSocket) {
    BroadcastMessage m{"node-a",  "app-1",
                       "orders",  R"({"event":"e","channel":"orders","data":"{}"})",
                       "123.456", 1700000000123.5};
    auto back = decode_broadcast(encode(m));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->node_id, "node-a");
    EXPECT_EQ(back->app_id, "app-1");
    EXPECT_EQ(back->channel, "orders");
    EXPECT_EQ(back->message, m.message);
    EXPECT_EQ(back->except_socket_id, "123.456");
    EXPECT_DOUBLE_EQ(back->timestamp_ms, 1700000000123.5);
}

TEST(ClusterMessages, BroadcastWithoutExclusionIsNull) {
    BroadcastMessage m{"n", "a", "c", "{}", "", 0};
    const std::string text = encode(m);
    EXPECT_NE(text.find(R"("except_socket_id":null)"), std::string::npos);
    auto back = decode_broadcast(text);
    ASSERT_TRUE(back);
    EXPECT_TRUE(back->except_socket_id.empty());
}

TEST(ClusterMessages, SockudoBroadcastIsRead) {
    // As a Sockudo node writes it (extra fields ignored).
    auto m = decode_broadcast(
        R"({"node_id":"x","app_id":"app","channel":"c","message":"{\"event\":\"e\"}","except_socket_id":null,)"
        R"("timestamp_ms":12.5,"compression_metadata":null,"ephemeral":true})");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->message, R"({"event":"e"})");
}

TEST(ClusterMessages, RejectsWhatIsNotABroadcast) {
    EXPECT_FALSE(decode_broadcast(""));
    EXPECT_FALSE(decode_broadcast("[]"));
    EXPECT_FALSE(decode_broadcast("{not json"));
    EXPECT_FALSE(decode_broadcast(R"({"node_id":"x","app_id":"a","channel":"c"})"));  // no message
    EXPECT_FALSE(decode_broadcast(R"({"node_id":1,"app_id":"a","channel":"c","message":"m"})"));
    EXPECT_FALSE(decode_broadcast(
        R"({"node_id":"x","app_id":"a","channel":"c","message":"m","except_socket_id":5})"));
}

TEST(ClusterMessages, RequestRoundTrip) {
    RequestMessage r;
    r.request_id = "r1";
    r.node_id = "n1";
    r.app_id = "app";
    r.type = RequestType::PresenceMemberJoined;
    r.channel = "presence-room";
    r.user_id = "alice";
    r.user_info_json = R"({"name":"Alice"})";
    r.channels = {"a", "b"};
    r.target_node_id = "n2";
    auto back = decode_request(encode(r));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->type, RequestType::PresenceMemberJoined);
    EXPECT_EQ(back->channel, "presence-room");
    EXPECT_EQ(back->user_id, "alice");
    EXPECT_EQ(back->user_info_json, R"({"name":"Alice"})");
    EXPECT_EQ(back->channels, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(back->target_node_id, "n2");
    EXPECT_NE(encode(r).find(R"("request_type":"PresenceMemberJoined")"), std::string::npos);
}

TEST(ClusterMessages, RequestTypesRoundTripByName) {
    for (RequestType t :
         {RequestType::ChannelMembers, RequestType::ChannelSocketsCount,
          RequestType::BatchChannelSocketsCount, RequestType::ChannelsWithSocketsCount,
          RequestType::TerminateUserConnections, RequestType::PresenceMemberLeft,
          RequestType::Heartbeat, RequestType::NodeDead, RequestType::PresenceStateSync,
          RequestType::ChannelOccupied, RequestType::ChannelVacated}) {
        EXPECT_EQ(parse_request_type(request_type_name(t)), t);
    }
    EXPECT_FALSE(parse_request_type("NoSuchType"));
    EXPECT_TRUE(fire_and_forget(RequestType::Heartbeat));
    EXPECT_FALSE(fire_and_forget(RequestType::ChannelMembers));
}

TEST(ClusterMessages, RejectsUnknownRequestTypes) {
    EXPECT_FALSE(
        decode_request(R"({"request_id":"r","node_id":"n","app_id":"a","request_type":"Bogus"})"));
    EXPECT_FALSE(decode_request(R"({"request_id":"r","node_id":"n","app_id":"a"})"));
    EXPECT_TRUE(decode_request(
        R"({"request_id":"r","node_id":"n","app_id":"a","request_type":"Heartbeat","timestamp":17})"));
}

TEST(ClusterMessages, ResponseRoundTripWithMembersAndCounts) {
    ResponseMessage r;
    r.request_id = "r1";
    r.node_id = "n2";
    r.app_id = "app";
    r.members = {{"alice", R"({"name":"Alice"})"}, {"bob", "{}"}};
    r.channels_with_sockets_count = {{"orders", 3}};
    r.exists = true;
    const std::string text = encode(r);
    // Sockudo's response layout: every field present.
    EXPECT_NE(text.find(R"("members_count":2)"), std::string::npos);
    EXPECT_NE(text.find(R"("complete":true)"), std::string::npos);
    auto back = decode_response(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->members, r.members);
    EXPECT_EQ(back->channels_with_sockets_count, r.channels_with_sockets_count);
    EXPECT_TRUE(back->exists);
}

TEST(ClusterMessages, RejectsResponsesWithoutIds) {
    EXPECT_FALSE(decode_response(R"({"node_id":"n"})"));
    EXPECT_FALSE(decode_response("null"));
}
