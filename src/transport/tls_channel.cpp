#include "transport/tls_channel.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "transport/tls_context.hpp"

namespace sockudo::transport {

namespace {
// One TLS record carries at most 16 KiB of plaintext; staging more buys nothing.
constexpr size_t kRecordPlaintext = 16 * 1024;
// A staging buffer larger than this is freed when it drains (a burst, not the usual message).
constexpr size_t kKeptStaging = 4 * 1024;
}  // namespace

std::unique_ptr<TlsChannel> TlsChannel::accept(const TlsContext& context, int fd) {
    // SSL_new takes its own reference on the context, so a reload cannot free it under us.
    SSL* ssl = SSL_new(context.current().get());
    if (ssl == nullptr) return nullptr;
    if (SSL_set_fd(ssl, fd) != 1) {
        SSL_free(ssl);
        return nullptr;
    }
    SSL_set_accept_state(ssl);
    return std::unique_ptr<TlsChannel>(new TlsChannel(ssl));
}

TlsChannel::~TlsChannel() {
    SSL_free(ssl_);
}

TlsChannel::Status TlsChannel::read(uint8_t* buffer, size_t capacity, size_t& n) {
    ERR_clear_error();
    errno = 0;
    const int r = SSL_read(ssl_, buffer, static_cast<int>(std::min<size_t>(capacity, INT_MAX)));
    if (r > 0) {
        n = static_cast<size_t>(r);
        return Status::Done;
    }
    n = 0;
    return fail(r);
}

bool TlsChannel::has_buffered_input() const {
    return SSL_pending(ssl_) > 0;
}

TlsChannel::Status TlsChannel::write(size_t& written) {
    written = 0;
    if (staged_.empty()) return Status::Done;
    ERR_clear_error();
    errno = 0;
    const int r = SSL_write(ssl_, staged_.data(),
                            static_cast<int>(std::min(staged_.size(), kRecordPlaintext)));
    if (r > 0) {
        written = static_cast<size_t>(r);
        staged_.erase(0, written);
        return Status::Done;
    }
    return fail(r);
}

void TlsChannel::trim() {
    if (staged_.empty() && staged_.capacity() > kKeptStaging) std::string().swap(staged_);
}

void TlsChannel::shutdown() {
    if (!SSL_is_init_finished(ssl_)) return;  // nothing to protect before the handshake
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();  // a full socket buffer or a gone peer is not worth reporting here
}

bool TlsChannel::handshake_done() const {
    return SSL_is_init_finished(ssl_) == 1;
}

bool TlsChannel::nothing_received() const {
    BIO* rbio = SSL_get_rbio(ssl_);
    return rbio == nullptr || BIO_number_read(rbio) == 0;
}

TlsChannel::Status TlsChannel::fail(int result) {
    const int saved_errno = errno;
    switch (SSL_get_error(ssl_, result)) {
        case SSL_ERROR_WANT_READ:
            return Status::WantRead;
        case SSL_ERROR_WANT_WRITE:
            return Status::WantWrite;
        case SSL_ERROR_ZERO_RETURN:
            error_ = "closed by the peer (close_notify)";
            return Status::Closed;
        case SSL_ERROR_SYSCALL:
            // With an empty error queue this is the socket's own failure (or a bare EOF).
            if (ERR_peek_error() == 0) {
                error_ =
                    saved_errno != 0 ? std::strerror(saved_errno) : "connection closed by the peer";
                return Status::Closed;
            }
            [[fallthrough]];
        default: {
            const bool plain_http = ERR_GET_REASON(ERR_peek_error()) == SSL_R_HTTP_REQUEST;
            error_ = last_tls_error();
            if (plain_http) error_ += " (plain HTTP sent to the TLS port)";
            return Status::Closed;
        }
    }
}

}  // namespace sockudo::transport
