#include "transport/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace sockudo::transport {

namespace {

// Forward-secret AEAD suites for TLS 1.2 (the server's order wins); every TLS 1.3 suite
// OpenSSL offers is already of that kind, so its default list stays.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Answers OpenSSL's request for the key's passphrase from the configuration. Without one it
// returns nothing, so an encrypted key fails to load instead of prompting on a terminal.
int passphrase_callback(char* buffer, int size, int /*rwflag*/, void* userdata) {
    const auto* passphrase = static_cast<const std::string*>(userdata);
    if (passphrase == nullptr || size <= 0) return 0;
    const size_t n = std::min(passphrase->size(), static_cast<size_t>(size));
    std::memcpy(buffer, passphrase->data(), n);
    return static_cast<int>(n);
}

// Agrees on HTTP/1.1 when the client offers ALPN (curl and browsers offer h2 first); a client
// that offers only protocols we do not speak gets no ALPN answer and decides for itself.
int select_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_length,
                const unsigned char* offered, unsigned int offered_length, void* /*arg*/) {
    static constexpr std::string_view kHttp11 = "http/1.1";
    for (unsigned int i = 0; i < offered_length;) {
        const unsigned int length = offered[i];
        if (i + 1 + length > offered_length) break;
        if (std::string_view(reinterpret_cast<const char*>(offered + i + 1), length) == kHttp11) {
            *out = offered + i + 1;
            *out_length = static_cast<unsigned char>(length);
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + length;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

std::string last_tls_error(const char* fallback) {
    std::string out;
    while (unsigned long code = ERR_get_error()) {
        std::string reason;
        if (const char* text = ERR_reason_error_string(code)) {
            reason = text;
#ifdef ERR_SYSTEM_ERROR
        } else if (ERR_SYSTEM_ERROR(code)) {
            reason = std::strerror(ERR_GET_REASON(code));  // a failed fopen and the like
#endif
        } else {
            char buffer[256];
            ERR_error_string_n(code, buffer, sizeof(buffer));
            reason = buffer;
        }
        // OpenSSL often queues the same reason from several layers.
        if (out.find(reason) != std::string::npos) continue;
        if (!out.empty()) out += "; ";
        out += reason;
    }
    return out.empty() ? fallback : out;
}

TlsContext::TlsContext(TlsFiles files) : files_(std::move(files)), context_(build()) {}

std::shared_ptr<ssl_ctx_st> TlsContext::build() const {
    ERR_clear_error();
    std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
    if (!ctx) throw std::runtime_error("cannot create a TLS context: " + last_tls_error());
    SSL_CTX* c = ctx.get();
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_options(
        c, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1) {
        throw std::runtime_error("cannot set the TLS 1.2 cipher list: " + last_tls_error());
    }
    // Partial writes let a connection's coalescing buffer drain record by record; idle
    // connections hand their read/write buffers back to OpenSSL's pool.
    SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_alpn_select_cb(c, select_alpn, nullptr);

    SSL_CTX_set_default_passwd_cb(c, passphrase_callback);
    SSL_CTX_set_default_passwd_cb_userdata(
        c, files_.passphrase ? const_cast<std::string*>(&*files_.passphrase) : nullptr);
    if (SSL_CTX_use_certificate_chain_file(c, files_.cert_path.c_str()) != 1) {
        throw std::runtime_error("cannot load certificate " + files_.cert_path + ": " +
                                 last_tls_error());
    }
    if (SSL_CTX_use_PrivateKey_file(c, files_.key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
        std::string reason = last_tls_error();
        if (!files_.passphrase) reason += " (if the key is encrypted, set ssl.passphrase)";
        throw std::runtime_error("cannot load private key " + files_.key_path + ": " + reason);
    }
    // The context may outlive this object (connections hold it), the passphrase may not.
    SSL_CTX_set_default_passwd_cb_userdata(c, nullptr);
    if (SSL_CTX_check_private_key(c) != 1) {
        throw std::runtime_error("the private key " + files_.key_path +
                                 " does not match the certificate " + files_.cert_path + ": " +
                                 last_tls_error());
    }
    return ctx;
}

std::shared_ptr<ssl_ctx_st> TlsContext::current() const {
    std::lock_guard lock(mutex_);
    return context_;
}

bool TlsContext::reload(std::string& error) {
    try {
        auto fresh = build();
        std::lock_guard lock(mutex_);
        context_ = std::move(fresh);
        return true;
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
}

}  // namespace sockudo::transport
