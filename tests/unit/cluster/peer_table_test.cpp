#include "cluster/peer_table.hpp"

#include <gtest/gtest.h>

using namespace sockudo::cluster;
using namespace std::chrono_literals;

namespace {
const PeerTable::TimePoint t0{};
}

TEST(PeerTable, FirstHeartbeatIsReported) {
    PeerTable peers;
    EXPECT_TRUE(peers.seen("b", t0));
    EXPECT_FALSE(peers.seen("b", t0 + 1s));
    EXPECT_EQ(peers.size(), 1u);
}

TEST(PeerTable, SilentPeersExpireAfterTheTimeout) {
    PeerTable peers;
    peers.seen("b", t0);
    peers.seen("c", t0 + 2s);
    EXPECT_TRUE(peers.expired(t0 + 3s, 3s).empty());
    EXPECT_EQ(peers.expired(t0 + 3001ms, 3s), std::vector<std::string>{"b"});
    EXPECT_EQ(peers.live(t0 + 3001ms, 3s), std::vector<std::string>{"c"});
    peers.seen("b", t0 + 4s);  // back to life
    EXPECT_TRUE(peers.expired(t0 + 4s, 3s).empty());
}

TEST(PeerTable, LeaderIsTheSmallestLiveId) {
    PeerTable peers;
    peers.seen("a", t0);
    peers.seen("m", t0 + 10s);
    EXPECT_EQ(peers.leader("k", t0 + 1s, 3s), "a");
    // "a" is dead: among the live ones ("k", "m") the smallest leads.
    EXPECT_EQ(peers.leader("k", t0 + 11s, 3s), "k");
    EXPECT_EQ(peers.leader("z", t0 + 11s, 3s), "m");
}

TEST(PeerTable, RefreshAllForgivesOurOwnOutage) {
    PeerTable peers;
    peers.seen("b", t0);
    peers.refresh_all(t0 + 60s);
    EXPECT_TRUE(peers.expired(t0 + 61s, 3s).empty());
    peers.remove("b");
    EXPECT_TRUE(peers.empty());
}
