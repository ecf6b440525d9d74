#pragma once
// The TLS session of one accepted connection. OpenSSL reads and writes the non-blocking socket
// itself; the connection waits for whatever readiness a call asks for and calls again. The
// handshake happens inside the first reads, so it needs no state of its own. OpenSSL writes
// alerts with plain write(2), so the process must ignore SIGPIPE (main does).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

struct ssl_st;

namespace sockudo::transport {

class TlsContext;

class TlsChannel {
public:
    enum class Status : uint8_t {
        Done,       // read: `n` > 0 bytes of plaintext; write: `written` > 0 bytes sent
        WantRead,   // wait until the socket is readable, then repeat the call
        WantWrite,  // wait until the socket is writable, then repeat the call
        Closed,     // close_notify, EOF or an error (see error())
    };

    // A server-side session on `fd` with the context's current certificate; null when
    // OpenSSL cannot allocate one.
    static std::unique_ptr<TlsChannel> accept(const TlsContext& context, int fd);
    ~TlsChannel();
    TlsChannel(const TlsChannel&) = delete;
    TlsChannel& operator=(const TlsChannel&) = delete;

    Status read(uint8_t* buffer, size_t capacity, size_t& n);
    // Plaintext already decrypted inside OpenSSL: the socket will not signal it again.
    bool has_buffered_input() const;

    // Plaintext waiting to be encrypted. Append only while it is empty: after WantRead or
    // WantWrite OpenSSL must be offered the same bytes again.
    std::string& staged() { return staged_; }
    // Encrypts and sends from staged() (one record of up to 16 KiB); what was sent is removed.
    Status write(size_t& written);
    // Gives back a staging buffer grown by a burst once it is empty.
    void trim();

    // Sends close_notify when it fits in the socket buffer; the peer's answer is not awaited.
    void shutdown();

    bool handshake_done() const;
    // The peer sent nothing at all: a port probe or an abandoned connect, not a failed handshake.
    bool nothing_received() const;
    // Why the last call returned Closed: OpenSSL's reason or the socket error.
    const std::string& error() const { return error_; }

private:
    explicit TlsChannel(ssl_st* ssl) : ssl_(ssl) {}
    Status fail(int result);

    ssl_st* ssl_;
    std::string staged_;
    std::string error_;
};

}  // namespace sockudo::transport
