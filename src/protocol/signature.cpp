#include "protocol/signature.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

namespace sockudo::protocol {

namespace {

std::string to_hex(const unsigned char* data, size_t length) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(length * 2, '0');
    for (size_t i = 0; i < length; ++i) {
        out[2 * i] = kDigits[data[i] >> 4];
        out[2 * i + 1] = kDigits[data[i] & 0x0F];
    }
    return out;
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    // OpenSSL 3 fails (and leaves no digest) when key and message are both null pointers, as
    // empty default-constructed views are; an empty hex string would then match "key:".
    static constexpr unsigned char kNoBytes[1] = {0};
    const void* key_bytes = key.data() != nullptr ? static_cast<const void*>(key.data()) : kNoBytes;
    const auto* message_bytes = message.data() != nullptr
                                    ? reinterpret_cast<const unsigned char*>(message.data())
                                    : kNoBytes;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()), message_bytes, message.size(),
         digest, &length);
    return to_hex(digest, length);
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return to_hex(digest, sizeof(digest));
}

std::string md5_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
    return to_hex(digest, length);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
    size_t n = a.size() > b.size() ? a.size() : b.size();
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < n; ++i) {
        unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

std::string channel_auth(std::string_view app_key, std::string_view app_secret,
                         std::string_view socket_id, std::string_view channel,
                         const std::string* channel_data) {
    std::string to_sign;
    to_sign.reserve(socket_id.size() + channel.size() + 2 +
                    (channel_data ? channel_data->size() : 0));
    to_sign.append(socket_id).append(":").append(channel);
    if (channel_data != nullptr) to_sign.append(":").append(*channel_data);
    return std::string(app_key) + ":" + hmac_sha256_hex(app_secret, to_sign);
}

std::string user_auth(std::string_view app_key, std::string_view app_secret,
                      std::string_view socket_id, std::string_view user_data) {
    std::string to_sign;
    to_sign.append(socket_id).append("::user::").append(user_data);
    return std::string(app_key) + ":" + hmac_sha256_hex(app_secret, to_sign);
}

bool verify_channel_auth(std::string_view app_key, std::string_view app_secret,
                         std::string_view socket_id, std::string_view channel,
                         const std::string* channel_data, std::string_view received_auth) {
    return constant_time_equals(
        channel_auth(app_key, app_secret, socket_id, channel, channel_data), received_auth);
}

bool verify_user_auth(std::string_view app_key, std::string_view app_secret,
                      std::string_view socket_id, std::string_view user_data,
                      std::string_view received_auth) {
    return constant_time_equals(user_auth(app_key, app_secret, socket_id, user_data),
                                received_auth);
}

std::string shared_secret_base64(std::string_view channel, std::string_view master_key) {
    std::string input;
    input.append(channel).append(master_key);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    unsigned char encoded[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
    int n = EVP_EncodeBlock(encoded, digest, SHA256_DIGEST_LENGTH);
    return std::string(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
}

}  // namespace sockudo::protocol
