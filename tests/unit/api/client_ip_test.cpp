#include "api/client_ip.hpp"

#include <gtest/gtest.h>

using sockudo::api::client_ip;

TEST(ClientIp, ForwardingHeadersAreIgnoredWithoutTrustedHops) {
    EXPECT_EQ(client_ip("9.9.9.9", "8.8.8.8", "10.0.0.1", 0), "10.0.0.1");
}

TEST(ClientIp, PicksTheEntryAddedByTheOutermostTrustedProxy) {
    EXPECT_EQ(client_ip("1.1.1.1, 2.2.2.2, 3.3.3.3", "", "10.0.0.1", 1), "3.3.3.3");
    EXPECT_EQ(client_ip("1.1.1.1, 2.2.2.2, 3.3.3.3", "", "10.0.0.1", 2), "2.2.2.2");
    EXPECT_EQ(client_ip("1.1.1.1, 2.2.2.2", "", "10.0.0.1", 5), "1.1.1.1")
        << "clamped to the first";
}

TEST(ClientIp, FallsBackToRealIpThenPeer) {
    EXPECT_EQ(client_ip("not-an-ip", "4.4.4.4", "10.0.0.1", 1), "4.4.4.4");
    EXPECT_EQ(client_ip("", "garbage", "10.0.0.1", 1), "10.0.0.1");
    EXPECT_EQ(client_ip("", "", "", 0), "unknown_ip");
}

TEST(ClientIp, Ipv6Entries) {
    EXPECT_EQ(client_ip("2001:db8::1", "", "::1", 1), "2001:db8::1");
}
