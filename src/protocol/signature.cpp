#include "protocol/signature.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <memory>

#include "protocol/ascii.hpp"

namespace sockudo::protocol {

namespace {

// OpenSSL 3 looks an algorithm up in its provider tables on every one-shot call (HMAC(),
// EVP_Digest() with EVP_md5()): that lookup cost more than hashing a request. The algorithms are
// fetched once and each thread reuses one digest context.
struct Digests {
    EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
    ~Digests() {
        EVP_MD_free(sha256);
        EVP_MD_free(md5);
    }
};

const Digests& digests() {
    static const Digests instance;
    return instance;
}

struct ContextFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* thread_context() {
    thread_local std::unique_ptr<EVP_MD_CTX, ContextFree> ctx(EVP_MD_CTX_new());
    return ctx.get();
}

// Hashes the concatenation of `parts` into `out`; returns the digest length.
unsigned int digest_of(const EVP_MD* md, std::initializer_list<std::string_view> parts,
                       unsigned char* out) {
    EVP_MD_CTX* ctx = thread_context();
    EVP_DigestInit_ex2(ctx, md, nullptr);
    for (std::string_view part : parts) EVP_DigestUpdate(ctx, part.data(), part.size());
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx, out, &length);
    return length;
}

std::string_view bytes(const unsigned char* data, size_t length) {
    return {reinterpret_cast<const char*>(data), length};
}

}  // namespace

HexDigest::HexDigest(const unsigned char* digest, size_t bytes)
    : length_(std::min(2 * bytes, kMaxLength)) {
    static constexpr char kDigits[] = "0123456789abcdef";
    for (size_t i = 0; i < bytes && 2 * i < kMaxLength; ++i) {
        text_[2 * i] = kDigits[digest[i] >> 4];
        text_[2 * i + 1] = kDigits[digest[i] & 0x0F];
    }
}

// RFC 2104 over SHA-256 (64-byte blocks).
HexDigest hmac_sha256(std::string_view key, std::string_view message) {
    constexpr size_t kBlock = 64;
    const EVP_MD* sha256 = digests().sha256;
    unsigned char block[kBlock] = {};
    if (key.size() > kBlock) {
        digest_of(sha256, {key}, block);
    } else if (!key.empty()) {
        std::memcpy(block, key.data(), key.size());
    }
    unsigned char inner_pad[kBlock];
    unsigned char outer_pad[kBlock];
    for (size_t i = 0; i < kBlock; ++i) {
        inner_pad[i] = static_cast<unsigned char>(block[i] ^ 0x36);
        outer_pad[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
    }
    unsigned char inner[SHA256_DIGEST_LENGTH];
    digest_of(sha256, {bytes(inner_pad, kBlock), message}, inner);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    digest_of(sha256, {bytes(outer_pad, kBlock), bytes(inner, sizeof(inner))}, digest);
    return HexDigest(digest, sizeof(digest));
}

HexDigest md5(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    const unsigned int length = digest_of(digests().md5, {data}, digest);
    return HexDigest(digest, length);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    return std::string(hmac_sha256(key, message).view());
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return std::string(HexDigest(digest, sizeof(digest)).view());
}

std::string md5_hex(std::string_view data) {
    return std::string(md5(data).view());
}

namespace {

// Every byte of the longer input is compared, each after `fold`, and the length difference is
// folded in, so the time depends on the lengths only.
template <typename Fold>
bool equals_constant_time(std::string_view a, std::string_view b, Fold fold) {
    size_t n = a.size() > b.size() ? a.size() : b.size();
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < n; ++i) {
        unsigned char x = i < a.size() ? static_cast<unsigned char>(fold(a[i])) : 0;
        unsigned char y = i < b.size() ? static_cast<unsigned char>(fold(b[i])) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

}  // namespace

bool constant_time_equals(std::string_view a, std::string_view b) {
    return equals_constant_time(a, b, [](char c) { return c; });
}

bool constant_time_iequals(std::string_view a, std::string_view b) {
    return equals_constant_time(a, b, ascii_lower);
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
    return constant_time_equals(channel_auth(app_key, app_secret, socket_id, channel, channel_data),
                                received_auth);
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
