#pragma once
// Signed HTTP API requests (protocol-v1 §11.2): the string to sign and its verification.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sockudo::protocol {

struct SignedRequest {
    std::string_view method;  // as received; upper-cased for signing
    std::string_view path;    // raw request path, before percent-decoding, no query
    std::span<const std::pair<std::string, std::string>> query;  // decoded key/value pairs
    std::string_view body;
};

enum class HttpAuthError {
    None,
    MissingParams,
    UnknownKey,
    StaleTimestamp,
    BadBodyMd5,
    BadSignature,
    BadVersion
};

// METHOD\npath\nk=v&... over the query without auth_signature, keys lower-cased and sorted.
std::string string_to_sign(const SignedRequest& request);

// Checks auth_key, the timestamp window, body_md5 and the signature (constant time).
HttpAuthError verify_signed_request(const SignedRequest& request, std::string_view app_key,
                                    std::string_view app_secret, int64_t now_seconds,
                                    int64_t window_seconds = 600);

std::string_view describe(HttpAuthError error);

}  // namespace sockudo::protocol
