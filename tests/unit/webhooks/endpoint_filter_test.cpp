#include "webhooks/endpoint_filter.hpp"

#include <gtest/gtest.h>

using namespace sockudo;

TEST(EndpointFilter, TypesAndChannelFilters) {
    config::WebhookTarget w;
    w.url = "http://127.0.0.1:1/hook";
    w.event_types = {"member_added", "member_removed"};
    w.filter_prefix = "presence-";
    w.filter_suffix = "-room";
    EXPECT_TRUE(webhooks::endpoint_wants_type(w, "member_added"));
    EXPECT_FALSE(webhooks::endpoint_wants_type(w, "channel_occupied"));
    EXPECT_TRUE(webhooks::endpoint_accepts_channel(w, "presence-chat-room"));
    EXPECT_FALSE(webhooks::endpoint_accepts_channel(w, "presence-chat"));
    EXPECT_FALSE(webhooks::endpoint_accepts_channel(w, "private-chat-room"));
}

TEST(EndpointFilter, PatternAndNamespaces) {
    config::WebhookTarget w;
    w.filter_pattern = "^private-orders-.*$";
    EXPECT_TRUE(webhooks::endpoint_accepts_channel(w, "private-orders-42"));
    EXPECT_FALSE(webhooks::endpoint_accepts_channel(w, "private-chat-42"));
    w.filter_pattern = "([";  // invalid: the endpoint receives nothing
    EXPECT_FALSE(webhooks::endpoint_accepts_channel(w, "private-orders-42"));
    w.filter_pattern.reset();
    w.filter_namespaces = {"orders", "chat"};
    EXPECT_TRUE(webhooks::endpoint_accepts_channel(w, "presence-chat:room-1"));
    EXPECT_TRUE(webhooks::endpoint_accepts_channel(w, "orders:eu"));
    EXPECT_FALSE(webhooks::endpoint_accepts_channel(w, "private-billing:x"));
    EXPECT_FALSE(webhooks::endpoint_accepts_channel(w, "orders")) << "no namespace at all";
}

TEST(EndpointFilter, AppLevelPreCheck) {
    config::App app;
    EXPECT_FALSE(webhooks::app_wants_type(app, "client_event"));
    config::WebhookTarget w;
    w.event_types = {"client_event"};
    app.webhooks.push_back(w);
    EXPECT_FALSE(webhooks::app_wants_type(app, "client_event"))
        << "an endpoint without a URL receives nothing";
    app.webhooks[0].url = "http://127.0.0.1:1/hook";
    EXPECT_TRUE(webhooks::app_wants_type(app, "client_event"));
    EXPECT_FALSE(webhooks::app_wants_type(app, "cache_miss"));
}
