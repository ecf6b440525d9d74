#pragma once
// The server's TLS configuration: an OpenSSL context built from PEM files, TLS 1.2 and newer
// only. reload() swaps in a context built from the same paths (certificate rotation on
// SIGHUP); connections keep the context they were accepted with.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

struct ssl_ctx_st;

namespace sockudo::transport {

struct TlsFiles {
    std::string cert_path;                  // PEM certificate chain, leaf first
    std::string key_path;                   // PEM private key
    std::optional<std::string> passphrase;  // for an encrypted key
};

class TlsContext {
public:
    // Throws std::runtime_error with the file and OpenSSL's reason when the files cannot be used.
    explicit TlsContext(TlsFiles files);

    // The context new connections use; the caller's reference keeps it alive across a reload.
    std::shared_ptr<ssl_ctx_st> current() const;
    // Rebuilds from the files; on failure keeps the old context and returns the reason.
    bool reload(std::string& error);

private:
    std::shared_ptr<ssl_ctx_st> build() const;

    TlsFiles files_;
    mutable std::mutex mutex_;
    std::shared_ptr<ssl_ctx_st> context_;
};

// OpenSSL's reason for the errors queued on this thread ("wrong version number"), and clears
// the queue. `fallback` when the queue is empty.
std::string last_tls_error(const char* fallback = "unknown TLS error");

}  // namespace sockudo::transport
