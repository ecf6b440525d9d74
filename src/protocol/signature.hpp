#pragma once
// HMAC-SHA256 signatures of the Pusher protocol (protocol-v1 §10) and digest helpers.

#include <cstddef>
#include <string>
#include <string_view>

namespace sockudo::protocol {

// A digest in lower-case hex, held inline: checking a request's signature allocates nothing.
class HexDigest {
public:
    static constexpr size_t kMaxLength = 64;  // SHA-256
    HexDigest(const unsigned char* digest, size_t bytes);
    std::string_view view() const { return {text_, length_}; }

private:
    char text_[kMaxLength]{};
    size_t length_;
};

HexDigest hmac_sha256(std::string_view key, std::string_view message);
HexDigest md5(std::string_view data);

std::string hmac_sha256_hex(std::string_view key, std::string_view message);
std::string sha256_hex(std::string_view data);
std::string md5_hex(std::string_view data);
// Compares every byte of the longer input and folds the length difference in.
bool constant_time_equals(std::string_view a, std::string_view b);
// The same, ASCII letters compared without case (hex digests as clients send them).
bool constant_time_iequals(std::string_view a, std::string_view b);

// "{key}:{hex hmac of socket_id:channel[:channel_data]}"
std::string channel_auth(std::string_view app_key, std::string_view app_secret,
                         std::string_view socket_id, std::string_view channel,
                         const std::string* channel_data);
// "{key}:{hex hmac of socket_id::user::user_data}"
std::string user_auth(std::string_view app_key, std::string_view app_secret,
                      std::string_view socket_id, std::string_view user_data);

bool verify_channel_auth(std::string_view app_key, std::string_view app_secret,
                         std::string_view socket_id, std::string_view channel,
                         const std::string* channel_data, std::string_view received_auth);
bool verify_user_auth(std::string_view app_key, std::string_view app_secret,
                      std::string_view socket_id, std::string_view user_data,
                      std::string_view received_auth);

// End-to-end encryption shared secret: base64(SHA-256(channel || master_key)).
std::string shared_secret_base64(std::string_view channel, std::string_view master_key);

}  // namespace sockudo::protocol
