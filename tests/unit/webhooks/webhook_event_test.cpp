#include "webhooks/webhook_event.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "protocol/signature.hpp"

using namespace sockudo::webhooks;

namespace {

WebhookEvent event(const char* name, const char* channel) {
    WebhookEvent e;
    e.name = name;
    e.channel = channel;
    return e;
}

}  // namespace

TEST(WebhookBody, Tv17SingleEventBodyAndSignature) {
    WebhookEvent e = event("channel_occupied", "test_channel");
    std::vector<const WebhookEvent*> events{&e};
    const std::string body = request_body(1327078148132, events);
    EXPECT_EQ(
        body,
        R"({"time_ms":1327078148132,"events":[{"name":"channel_occupied","channel":"test_channel"}]})");
    EXPECT_EQ(sockudo::protocol::hmac_sha256_hex("7ad3773142a6692b25b8", body),
              "709fdb84c03664445f7698120b0edf0acc1ab1c8c6e93a0368c61841d6b998aa");
}

TEST(WebhookBody, Tv18BatchedEvents) {
    WebhookEvent added = event("member_added", "presence-room");
    added.user_id = "alice";
    WebhookEvent occupied = event("channel_occupied", "presence-room");
    std::vector<const WebhookEvent*> events{&added, &occupied};
    const std::string body = request_body(1700000000000, events);
    EXPECT_EQ(
        body,
        R"({"time_ms":1700000000000,"events":[{"name":"member_added","channel":"presence-room","user_id":"alice"},{"name":"channel_occupied","channel":"presence-room"}]})");
    EXPECT_EQ(sockudo::protocol::hmac_sha256_hex("7ad3773142a6692b25b8", body),
              "898e5c1f6d76bf9ab7d5ae168a02130d446fab19d0a8b8683120e83bc1962d3d");
}

TEST(WebhookBody, Tv19ClientEvent) {
    WebhookEvent e = event("client_event", "presence-room");
    e.event = "client-typing";
    e.data = R"({"typing":true})";
    e.socket_id = "1234.1234";
    e.user_id = "10";
    std::vector<const WebhookEvent*> events{&e};
    const std::string body = request_body(1700000000000, events);
    EXPECT_EQ(
        body,
        R"({"time_ms":1700000000000,"events":[{"name":"client_event","channel":"presence-room","event":"client-typing","data":"{\"typing\":true}","socket_id":"1234.1234","user_id":"10"}]})");
    EXPECT_EQ(sockudo::protocol::hmac_sha256_hex("7ad3773142a6692b25b8", body),
              "ddec68fb3a17f9fccba84d71e3711df91220f43401b0ea7fb56950fd65a5c26c");
}

TEST(WebhookBody, SubscriptionCountIsANumber) {
    WebhookEvent e = event("subscription_count", "my-channel");
    e.subscription_count = 3;
    std::string out;
    append_event_json(out, e);
    EXPECT_EQ(out,
              R"({"name":"subscription_count","channel":"my-channel","subscription_count":3})");
}

TEST(WebhookBody, ChannelNamesAreEscaped) {
    WebhookEvent e = event("cache_miss", "cache-\"x\"");
    std::string out;
    append_event_json(out, e);
    EXPECT_EQ(out, R"({"name":"cache_miss","channel":"cache-\"x\""})");
}
