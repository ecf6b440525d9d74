#pragma once
// The server's TLS configuration: an OpenSSL context built from PEM files, TLS 1.2 and newer
// only. reload() swaps in a context built from the same paths (certificate rotation on
// SIGHUP); connections keep the context they were accepted with.

#include <memory>
#include <mutex>
#include <string>

struct ssl_ctx_st;

namespace sockudo::transport {

class TlsContext {
public:
    // Throws std::runtime_error with OpenSSL's reason when the files cannot be used.
    TlsContext(std::string cert_path, std::string key_path);

    std::shared_ptr<ssl_ctx_st> current() const;
    // Rebuilds from the files; on failure keeps the old context and returns the reason.
    bool reload(std::string& error);

private:
    std::shared_ptr<ssl_ctx_st> build() const;

    std::string cert_path_;
    std::string key_path_;
    mutable std::mutex mutex_;
    std::shared_ptr<ssl_ctx_st> context_;
};

// The most recent OpenSSL error as text (and clears the error queue).
std::string last_tls_error();

}  // namespace sockudo::transport
