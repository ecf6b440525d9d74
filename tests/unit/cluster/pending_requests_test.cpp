#include "cluster/pending_requests.hpp"

#include <gtest/gtest.h>

using namespace sockudo::cluster;
using namespace std::chrono_literals;
using sockudo::core::ClusterAnswer;

namespace {
const PendingRequests::TimePoint t0{};

ResponseMessage response(std::string id, std::string node, uint64_t orders) {
    ResponseMessage r;
    r.request_id = std::move(id);
    r.node_id = std::move(node);
    r.channels_with_sockets_count["orders"] = orders;
    r.members["u-" + r.node_id] = "{}";
    return r;
}
}  // namespace

TEST(PendingRequests, CompletesWhenEveryExpectedNodeAnswered) {
    PendingRequests p;
    std::optional<ClusterAnswer> got;
    p.add("r", {"b", "c"}, t0 + 1s, [&](ClusterAnswer a) { got = std::move(a); });
    EXPECT_TRUE(p.on_response(response("r", "b", 2)).empty());
    EXPECT_TRUE(p.on_response(response("r", "b", 2)).empty());  // duplicate ignored
    auto done = p.on_response(response("r", "c", 3));
    ASSERT_EQ(done.size(), 1u);
    done[0].run();
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->complete);
    EXPECT_EQ(got->responses, 2u);
    EXPECT_EQ(got->channel_counts["orders"], 5u);
    EXPECT_EQ(got->members.size(), 2u);
    EXPECT_EQ(p.size(), 0u);
}

TEST(PendingRequests, DeadlineGivesAPartialAnswer) {
    PendingRequests p;
    std::optional<ClusterAnswer> got;
    p.add("r", {"b", "c"}, t0 + 1s, [&](ClusterAnswer a) { got = std::move(a); });
    (void)p.on_response(response("r", "b", 2));
    EXPECT_TRUE(p.expire(t0 + 999ms).empty());
    auto done = p.expire(t0 + 1s);
    ASSERT_EQ(done.size(), 1u);
    done[0].run();
    EXPECT_FALSE(got->complete);
    EXPECT_EQ(got->responses, 1u);
    EXPECT_EQ(got->expected, 2u);
    EXPECT_EQ(got->channel_counts["orders"], 2u);
    // A late response for a finished request is dropped.
    EXPECT_TRUE(p.on_response(response("r", "c", 1)).empty());
}

TEST(PendingRequests, UnexpectedNodesAndUnknownIdsAreIgnored) {
    PendingRequests p;
    p.add("r", {"b"}, t0 + 1s, {});
    EXPECT_TRUE(p.on_response(response("r", "z", 9)).empty());
    EXPECT_TRUE(p.on_response(response("other", "b", 9)).empty());
    EXPECT_EQ(p.size(), 1u);
}

TEST(PendingRequests, ADeadNodeIsNotWaitedFor) {
    PendingRequests p;
    std::optional<ClusterAnswer> got;
    p.add("r", {"b", "c"}, t0 + 5s, [&](ClusterAnswer a) { got = std::move(a); });
    (void)p.on_response(response("r", "b", 1));
    auto done = p.forget_node("c");
    ASSERT_EQ(done.size(), 1u);
    done[0].run();
    EXPECT_FALSE(got->complete);
}
