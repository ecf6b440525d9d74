#include "protocol/close_codes.hpp"

#include <gtest/gtest.h>

using namespace sockudo::protocol;

TEST(CloseCodes, PusherJsReconnectClasses) {
    // protocol-v1 §3.9, from pusher-js protocol.ts.
    EXPECT_EQ(reconnect_class(close_code::kNormal), ReconnectClass::Normal);
    EXPECT_EQ(reconnect_class(close_code::kGoingAway), ReconnectClass::Normal);
    EXPECT_EQ(reconnect_class(1002), ReconnectClass::Backoff);
    EXPECT_EQ(reconnect_class(1003), ReconnectClass::Backoff);
    EXPECT_EQ(reconnect_class(1004), ReconnectClass::Backoff);
    EXPECT_EQ(reconnect_class(1005), ReconnectClass::Normal);
    EXPECT_EQ(reconnect_class(close_code::kMessageTooBig), ReconnectClass::Normal);
    EXPECT_EQ(reconnect_class(3999), ReconnectClass::Normal);
    EXPECT_EQ(reconnect_class(close_code::kSslOnly), ReconnectClass::DoNotReconnect);
    EXPECT_EQ(reconnect_class(close_code::kAppNotFound), ReconnectClass::DoNotReconnect);
    EXPECT_EQ(reconnect_class(close_code::kUnauthorized), ReconnectClass::DoNotReconnect);
    EXPECT_EQ(reconnect_class(4099), ReconnectClass::DoNotReconnect);
    EXPECT_EQ(reconnect_class(close_code::kOverCapacity), ReconnectClass::Backoff);
    EXPECT_EQ(reconnect_class(4199), ReconnectClass::Backoff);
    EXPECT_EQ(reconnect_class(close_code::kReconnectImmediately), ReconnectClass::ReconnectNow);
    EXPECT_EQ(reconnect_class(close_code::kPongTimeout), ReconnectClass::ReconnectNow);
    EXPECT_EQ(reconnect_class(4299), ReconnectClass::ReconnectNow);
    EXPECT_EQ(reconnect_class(close_code::kClientEventRejected), ReconnectClass::DoNotReconnect);
    EXPECT_EQ(reconnect_class(4999), ReconnectClass::DoNotReconnect);
}

TEST(CloseCodes, ValuesMatchTheMasterTable) {
    EXPECT_EQ(close_code::kAppDisabled, 4003);
    EXPECT_EQ(close_code::kOverQuota, 4004);
    EXPECT_EQ(close_code::kPathNotFound, 4005);
    EXPECT_EQ(close_code::kInvalidVersionFormat, 4006);
    EXPECT_EQ(close_code::kUnsupportedProtocol, 4007);
    EXPECT_EQ(close_code::kNoProtocolVersion, 4008);
    EXPECT_EQ(close_code::kClosedAfterInactivity, 4202);
    EXPECT_EQ(close_code::kServerError, 4302);
    static_assert(reconnect_class(close_code::kOverCapacity) == ReconnectClass::Backoff);
}
