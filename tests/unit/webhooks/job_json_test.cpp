#include "webhooks/job_json.hpp"

#include <gtest/gtest.h>

using namespace sockudo;
using namespace sockudo::webhooks;

namespace {

WebhookJob sample_job() {
    auto app = std::make_shared<config::App>();
    app->id = "app-1";
    app->key = "key-1";
    app->secret = "very-secret-value";
    WebhookJob job{app, 1700000000123, {}};
    WebhookEvent occupied;
    occupied.name = "channel_occupied";
    occupied.channel = "presence-room";
    WebhookEvent client;
    client.name = "client_event";
    client.channel = "private-chat";
    client.event = "client-typing";
    client.data = "{\"x\":\"\\u00e9\"}";
    client.socket_id = "1.2";
    client.user_id = "u-7";
    WebhookEvent count;
    count.name = "subscription_count";
    count.channel = "c";
    count.subscription_count = 42;
    job.events = {occupied, client, count};
    return job;
}

}  // namespace

TEST(JobJson, RoundTripsEveryEventField) {
    const WebhookJob job = sample_job();
    auto stored = job_from_json(job_to_json(job));
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->app_id, "app-1");
    EXPECT_EQ(stored->time_ms, 1700000000123);
    ASSERT_EQ(stored->events.size(), 3u);
    EXPECT_EQ(stored->events[0].name, "channel_occupied");
    EXPECT_EQ(stored->events[0].channel, "presence-room");
    EXPECT_FALSE(stored->events[0].user_id);
    EXPECT_EQ(stored->events[1].event, "client-typing");
    EXPECT_EQ(stored->events[1].data, job.events[1].data);
    EXPECT_EQ(stored->events[1].socket_id, "1.2");
    EXPECT_EQ(stored->events[1].user_id, "u-7");
    EXPECT_EQ(stored->events[2].subscription_count, 42u);
}

TEST(JobJson, CarriesNoSecretOrKey) {
    const std::string text = job_to_json(sample_job());
    EXPECT_EQ(text.find("very-secret-value"), std::string::npos) << text;
    EXPECT_EQ(text.find("secret"), std::string::npos) << text;
    EXPECT_EQ(text.find("key-1"), std::string::npos) << text;
}

TEST(JobJson, RejectsWhatItDidNotWrite) {
    for (const char* text :
         {"", "[]", "{}", "not json", R"({"v":2,"app_id":"a","time_ms":1,"events":[]})",
          R"({"v":1,"app_id":"","time_ms":1,"events":[]})",
          R"({"v":1,"app_id":"a","time_ms":1,"events":[{"name":"x"}]})",
          R"({"v":1,"app_id":"a","time_ms":"1","events":[]})"}) {
        EXPECT_FALSE(job_from_json(text)) << text;
    }
}
