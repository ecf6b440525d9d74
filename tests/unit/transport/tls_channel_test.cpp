// TlsContext (loading, passphrases, reload) and TlsChannel (handshake, data, failure reasons)
// over a socketpair with freshly generated certificates: no network, no files outside a temp dir.
#include "transport/tls_channel.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "transport/tls_context.hpp"

using namespace sockudo::transport;
namespace fs = std::filesystem;

namespace {

struct Pem {
    std::string cert;
    std::string key;
};

// A self-signed P-256 certificate for `cn`, the key encrypted when `passphrase` is non-empty.
Pem make_cert(const fs::path& dir, const std::string& name, const std::string& cn,
              const std::string& passphrase = "") {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* subject = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), subject);
    X509_sign(cert.get(), key.get(), EVP_sha256());

    Pem pem{(dir / (name + ".crt")).string(), (dir / (name + ".key")).string()};
    FILE* f = std::fopen(pem.cert.c_str(), "w");
    PEM_write_X509(f, cert.get());
    std::fclose(f);
    f = std::fopen(pem.key.c_str(), "w");
    if (passphrase.empty()) {
        PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    } else {
        PEM_write_PrivateKey(f, key.get(), EVP_aes_256_cbc(),
                             reinterpret_cast<const unsigned char*>(passphrase.data()),
                             static_cast<int>(passphrase.size()), nullptr, nullptr);
    }
    std::fclose(f);
    return pem;
}

std::string common_name(SSL* ssl) {
    X509* peer = SSL_get1_peer_certificate(ssl);
    if (peer == nullptr) return "";
    char buffer[128] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buffer, sizeof(buffer));
    X509_free(peer);
    return buffer;
}

class TlsTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::signal(SIGPIPE, SIG_IGN);  // as the server does: OpenSSL writes alerts with write(2)
        dir_ = fs::temp_directory_path() / ("sockudo-tls-unit-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        first_ = make_cert(dir_, "first", "first.test");
        second_ = make_cert(dir_, "second", "second.test");
    }
    void TearDown() override {
        if (client_ != nullptr) SSL_free(client_);
        if (client_ctx_ != nullptr) SSL_CTX_free(client_ctx_);
        if (fds_[0] >= 0) ::close(fds_[0]);
        if (fds_[1] >= 0) ::close(fds_[1]);
        fs::remove_all(dir_);
    }

    // A non-blocking socketpair with the server channel on one end and an OpenSSL client on the
    // other; `configure` adjusts the client context (protocol versions, ciphers).
    void connect(const TlsContext& context, void (*configure)(SSL_CTX*) = nullptr) {
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_), 0);
        channel_ = TlsChannel::accept(context, fds_[0]);
        ASSERT_NE(channel_, nullptr);
        client_ctx_ = SSL_CTX_new(TLS_client_method());
        if (configure != nullptr) configure(client_ctx_);
        client_ = SSL_new(client_ctx_);
        SSL_set_fd(client_, fds_[1]);
        SSL_set_connect_state(client_);
    }

    // Alternates client and server until the handshake ends; the server status that ended it.
    TlsChannel::Status handshake() {
        for (int round = 0; round < 20; ++round) {
            SSL_do_handshake(client_);
            uint8_t buffer[64];
            size_t n = 0;
            const auto status = channel_->read(buffer, sizeof(buffer), n);
            if (status == TlsChannel::Status::Closed) return status;
            if (channel_->handshake_done() && SSL_is_init_finished(client_)) return status;
        }
        return TlsChannel::Status::Closed;
    }

    fs::path dir_;
    Pem first_;
    Pem second_;
    int fds_[2] = {-1, -1};
    std::unique_ptr<TlsChannel> channel_;
    SSL_CTX* client_ctx_ = nullptr;
    SSL* client_ = nullptr;
};

}  // namespace

TEST_F(TlsTest, HandshakeThenDataBothWays) {
    TlsContext context({first_.cert, first_.key, std::nullopt});
    connect(context);
    ASSERT_EQ(handshake(), TlsChannel::Status::WantRead);
    EXPECT_TRUE(channel_->handshake_done());
    EXPECT_EQ(common_name(client_), "first.test");
    EXPECT_GE(SSL_version(client_), TLS1_2_VERSION);

    ASSERT_EQ(SSL_write(client_, "hello", 5), 5);
    uint8_t buffer[64];
    size_t n = 0;
    ASSERT_EQ(channel_->read(buffer, sizeof(buffer), n), TlsChannel::Status::Done);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), n), "hello");

    channel_->staged() = "world";
    size_t written = 0;
    ASSERT_EQ(channel_->write(written), TlsChannel::Status::Done);
    EXPECT_EQ(written, 5u);
    EXPECT_TRUE(channel_->staged().empty());
    char reply[16] = {};
    ASSERT_EQ(SSL_read(client_, reply, sizeof(reply)), 5);
    EXPECT_STREQ(reply, "world");

    channel_->shutdown();
    EXPECT_EQ(SSL_read(client_, reply, sizeof(reply)), 0);
    EXPECT_EQ(SSL_get_error(client_, 0), SSL_ERROR_ZERO_RETURN);
}

TEST_F(TlsTest, LargeStagedOutputGoesOutRecordByRecord) {
    TlsContext context({first_.cert, first_.key, std::nullopt});
    connect(context);
    ASSERT_EQ(handshake(), TlsChannel::Status::WantRead);
    const std::string payload(40 * 1024, 'x');
    channel_->staged() = payload;
    std::string received;
    char buffer[16 * 1024];
    for (int i = 0; i < 100 && received.size() < payload.size(); ++i) {
        size_t written = 0;
        const auto status = channel_->write(written);
        ASSERT_NE(status, TlsChannel::Status::Closed);
        EXPECT_LE(written, 16u * 1024);
        int r = 0;
        while ((r = SSL_read(client_, buffer, sizeof(buffer))) > 0)
            received.append(buffer, static_cast<size_t>(r));
    }
    EXPECT_EQ(received, payload);
    channel_->trim();
    EXPECT_LE(channel_->staged().capacity(), 4u * 1024);
}

TEST_F(TlsTest, OldProtocolVersionsAreRefusedWithAReason) {
    TlsContext context({first_.cert, first_.key, std::nullopt});
    connect(context, [](SSL_CTX* c) {
        SSL_CTX_set_security_level(c, 0);  // let the client offer TLS 1.1 at all
        SSL_CTX_set_min_proto_version(c, TLS1_VERSION);
        SSL_CTX_set_max_proto_version(c, TLS1_1_VERSION);
        SSL_CTX_set_cipher_list(c, "DEFAULT:@SECLEVEL=0");
    });
    ASSERT_EQ(handshake(), TlsChannel::Status::Closed);
    EXPECT_FALSE(channel_->handshake_done());
    EXPECT_FALSE(channel_->nothing_received());
    EXPECT_NE(channel_->error().find("unsupported protocol"), std::string::npos)
        << channel_->error();
}

TEST_F(TlsTest, Tls12WithAnAeadSuiteIsAccepted) {
    TlsContext context({first_.cert, first_.key, std::nullopt});
    connect(context, [](SSL_CTX* c) {
        SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
        SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256");
    });
    ASSERT_EQ(handshake(), TlsChannel::Status::WantRead);
    EXPECT_EQ(SSL_version(client_), TLS1_2_VERSION);
}

TEST_F(TlsTest, Tls12CbcSuitesAreRefused) {
    TlsContext context({first_.cert, first_.key, std::nullopt});
    connect(context, [](SSL_CTX* c) {
        SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
        SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384");
    });
    ASSERT_EQ(handshake(), TlsChannel::Status::Closed);
    EXPECT_NE(channel_->error().find("no shared cipher"), std::string::npos) << channel_->error();
}

TEST_F(TlsTest, PlainHttpIsAFailedHandshakeWithTheReason) {
    TlsContext context({first_.cert, first_.key, std::nullopt});
    connect(context);
    const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::write(fds_[1], request.data(), request.size()),
              static_cast<ssize_t>(request.size()));
    uint8_t buffer[64];
    size_t n = 0;
    ASSERT_EQ(channel_->read(buffer, sizeof(buffer), n), TlsChannel::Status::Closed);
    EXPECT_NE(channel_->error().find("plain HTTP"), std::string::npos) << channel_->error();
    EXPECT_FALSE(channel_->nothing_received());
}

TEST_F(TlsTest, APeerThatSendsNothingIsAProbe) {
    TlsContext context({first_.cert, first_.key, std::nullopt});
    connect(context);
    uint8_t buffer[64];
    size_t n = 0;
    EXPECT_EQ(channel_->read(buffer, sizeof(buffer), n), TlsChannel::Status::WantRead);
    ::close(fds_[1]);
    fds_[1] = -1;
    EXPECT_EQ(channel_->read(buffer, sizeof(buffer), n), TlsChannel::Status::Closed);
    EXPECT_TRUE(channel_->nothing_received());
}

TEST_F(TlsTest, ReloadSwapsTheCertificateForNewSessionsOnly) {
    const std::string live_cert = (dir_ / "live.crt").string();
    const std::string live_key = (dir_ / "live.key").string();
    fs::copy_file(first_.cert, live_cert);
    fs::copy_file(first_.key, live_key);
    TlsContext context({live_cert, live_key, std::nullopt});
    auto before = context.current();

    fs::copy_file(second_.cert, live_cert, fs::copy_options::overwrite_existing);
    fs::copy_file(second_.key, live_key, fs::copy_options::overwrite_existing);
    std::string error;
    ASSERT_TRUE(context.reload(error)) << error;
    EXPECT_NE(context.current(), before);
    connect(context);
    ASSERT_EQ(handshake(), TlsChannel::Status::WantRead);
    EXPECT_EQ(common_name(client_), "second.test");

    auto good = context.current();
    {
        FILE* f = std::fopen(live_cert.c_str(), "w");
        std::fputs("not a certificate\n", f);
        std::fclose(f);
    }
    EXPECT_FALSE(context.reload(error));
    EXPECT_NE(error.find(live_cert), std::string::npos) << error;
    EXPECT_EQ(context.current(), good) << "a failed reload keeps the previous certificate";
}

TEST_F(TlsTest, EncryptedKeyNeedsItsPassphrase) {
    const Pem locked = make_cert(dir_, "locked", "locked.test", "s3cret");
    EXPECT_NO_THROW(TlsContext({locked.cert, locked.key, std::string("s3cret")}));
    // Without a passphrase the load fails at once (never a terminal prompt).
    EXPECT_THROW(TlsContext({locked.cert, locked.key, std::nullopt}), std::runtime_error);
    EXPECT_THROW(TlsContext({locked.cert, locked.key, std::string("wrong")}), std::runtime_error);
}

TEST_F(TlsTest, MismatchedOrMissingFilesAreReported) {
    try {
        TlsContext context({first_.cert, second_.key, std::nullopt});
        FAIL() << "a key for another certificate was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("mismatch"), std::string::npos) << e.what();
    }
    try {
        TlsContext context({(dir_ / "missing.crt").string(), first_.key, std::nullopt});
        FAIL() << "a missing certificate was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.crt"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
    }
}
