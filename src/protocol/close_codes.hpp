#pragma once
// Close and error codes (protocol-v1 §3.9) and how pusher-js reacts to each range.

#include <cstdint>

namespace sockudo::protocol {

namespace close_code {
constexpr uint16_t kNormal = 1000;
constexpr uint16_t kGoingAway = 1001;
constexpr uint16_t kProtocolError = 1002;
constexpr uint16_t kInvalidPayload = 1007;
constexpr uint16_t kMessageTooBig = 1009;
constexpr uint16_t kInternalError = 1011;
constexpr uint16_t kSslOnly = 4000;
constexpr uint16_t kAppNotFound = 4001;
constexpr uint16_t kAppDisabled = 4003;
constexpr uint16_t kOverQuota = 4004;
constexpr uint16_t kPathNotFound = 4005;
constexpr uint16_t kInvalidVersionFormat = 4006;
constexpr uint16_t kUnsupportedProtocol = 4007;
constexpr uint16_t kNoProtocolVersion = 4008;
constexpr uint16_t kUnauthorized = 4009;
constexpr uint16_t kOverCapacity = 4100;
constexpr uint16_t kReconnectImmediately = 4200;
constexpr uint16_t kPongTimeout = 4201;
constexpr uint16_t kClosedAfterInactivity = 4202;
constexpr uint16_t kClientEventRejected = 4301;
constexpr uint16_t kServerError = 4302;
}  // namespace close_code

enum class ReconnectClass { Normal, DoNotReconnect, Backoff, ReconnectNow };

// pusher-js's mapping (protocol.ts): 4000-4099 refused (4000 switches to TLS), 4100-4199
// back off, 4200-4299 reconnect now, >= 4300 refused.
constexpr ReconnectClass reconnect_class(int code) {
    if (code >= 4000 && code < 4100) return ReconnectClass::DoNotReconnect;
    if (code >= 4100 && code < 4200) return ReconnectClass::Backoff;
    if (code >= 4200 && code < 4300) return ReconnectClass::ReconnectNow;
    if (code >= 4300) return ReconnectClass::DoNotReconnect;
    if (code >= 1002 && code <= 1004) return ReconnectClass::Backoff;
    return ReconnectClass::Normal;
}

}  // namespace sockudo::protocol
