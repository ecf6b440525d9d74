#include "protocol/http_signing.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "protocol/signature.hpp"

using namespace sockudo::protocol;

namespace {

// Credentials of the §11.2.4 vectors.
constexpr std::string_view kKey = "278d425bdf160c739803";
constexpr std::string_view kSecret = "7ad3773142a6692b25b8";
constexpr int64_t kTimestamp = 1353088179;

using Query = std::vector<std::pair<std::string, std::string>>;

// The query an SDK sends, minus the signature.
Query base_query(std::string_view body_md5 = {}) {
    Query q = {{"auth_key", std::string(kKey)},
               {"auth_timestamp", std::to_string(kTimestamp)},
               {"auth_version", "1.0"}};
    if (!body_md5.empty()) q.emplace_back("body_md5", std::string(body_md5));
    return q;
}

struct Vector {
    const char* name;
    const char* method;
    const char* path;
    Query query;  // unsigned
    const char* body;
    const char* string_to_sign;
    const char* signature;
};

std::vector<Vector> vectors() {
    auto with = [](Query q, std::vector<std::pair<std::string, std::string>> extra) {
        // SDKs append extra params in their own order; signing must sort them.
        for (auto& p : extra) q.insert(q.begin(), std::move(p));
        return q;
    };
    return {
        {"TV-10", "POST", "/apps/3/events", base_query("ec365a775a4cd0599faeb73354201b6f"),
         R"({"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"})",
         "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_"
         "version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f",
         "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"},
        {"TV-11", "GET", "/apps/3/channels",
         with(base_query(), {{"info", "user_count"}, {"filter_by_prefix", "presence-"}}), "",
         "GET\n/apps/3/channels\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_"
         "version=1.0&filter_by_prefix=presence-&info=user_count",
         "16819168891cb5dfd72b5c7a5d3d602605b26c6ba1930033b5e2eeeb65010291"},
        {"TV-12a", "GET", "/apps/3/channels/presence-foobar",
         with(base_query(), {{"info", "user_count"}}), "",
         "GET\n/apps/3/channels/presence-foobar\nauth_key=278d425bdf160c739803&auth_timestamp="
         "1353088179&auth_version=1.0&info=user_count",
         "4a3f2072171ff7ef80a933451b38ec483e1385faf0389630e3b994b581609157"},
        {"TV-12b", "GET", "/apps/3/channels/my-channel",
         with(base_query(), {{"info", "subscription_count"}}), "",
         "GET\n/apps/3/channels/my-channel\nauth_key=278d425bdf160c739803&auth_timestamp="
         "1353088179&auth_version=1.0&info=subscription_count",
         "d0330e1ce3225ef91d321d44bf89b116a9726b5238c0b85b77fddcfc12caa54d"},
        {"TV-13", "GET", "/apps/3/channels/presence-foobar/users", base_query(), "",
         "GET\n/apps/3/channels/presence-foobar/users\nauth_key=278d425bdf160c739803&auth_"
         "timestamp=1353088179&auth_version=1.0",
         "5567dd30e7f8575e66be615d2aac3f608a0c311c31ddab8513a278b022e9597e"},
        {"TV-14", "POST", "/apps/3/batch_events", base_query("c6ded6d2e2fbc4e8aa59c6d441258fa4"),
         R"({"batch":[{"channel":"my-channel","name":"my-event","data":"{\"n\":1}"},{"channel":"presence-room","name":"my-event","data":"{\"n\":2}","info":"user_count"}]})",
         "POST\n/apps/3/batch_events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&"
         "auth_version=1.0&body_md5=c6ded6d2e2fbc4e8aa59c6d441258fa4",
         "fce9c5bbb51a1070c8974ce3f37549a46495c9b8c02f507c126bf436294c7472"},
        {"TV-15", "POST", "/apps/3/users/12345/terminate_connections",
         base_query("99914b932bd37a50b983c5e7c90ae93b"), "{}",
         "POST\n/apps/3/users/12345/terminate_connections\nauth_key=278d425bdf160c739803&auth_"
         "timestamp=1353088179&auth_version=1.0&body_md5=99914b932bd37a50b983c5e7c90ae93b",
         "01fa634edeb0cae84115307cad5c23f65a46cd286461b1c89637a3b5871a8f0e"},
        {"TV-16", "POST", "/apps/3/events", base_query("db8bed62f31dae2a97091ce7819bce56"),
         R"({"name":"my-event","channels":["presence-room","my-channel"],"data":"{\"hello\":\"world\"}","socket_id":"1234.1234","info":"user_count,subscription_count"})",
         "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_"
         "version=1.0&body_md5=db8bed62f31dae2a97091ce7819bce56",
         "c165efa097832a8434622f330069e7ca642512b82acf74fb813b8ca55940cee9"},
    };
}

// A request signed the way the SDKs sign it, with `auth_signature` appended last.
struct Signed {
    std::string method;
    std::string path;
    Query query;
    std::string body;

    SignedRequest view() const { return {method, path, query, body}; }
};

Signed sign(std::string method, std::string path, Query query, std::string body,
            std::string_view secret = kSecret) {
    Signed s{std::move(method), std::move(path), std::move(query), std::move(body)};
    s.query.emplace_back("auth_signature", hmac_sha256_hex(secret, string_to_sign(s.view())));
    return s;
}

Signed signed_get(Query extra = {}) {
    Query q = base_query();
    for (auto& p : extra) q.push_back(std::move(p));
    return sign("GET", "/apps/3/channels", std::move(q), "");
}

HttpAuthError verify(const Signed& s, int64_t now = kTimestamp) {
    return verify_signed_request(s.view(), kKey, kSecret, now);
}

}  // namespace

// --- TV-10..TV-16 ---------------------------------------------------------------------

TEST(HttpSigning, VectorsStringToSign) {
    for (const auto& v : vectors()) {
        SignedRequest r{v.method, v.path, v.query, v.body};
        EXPECT_EQ(string_to_sign(r), v.string_to_sign) << v.name;
        EXPECT_EQ(hmac_sha256_hex(kSecret, v.string_to_sign), v.signature) << v.name;
    }
}

TEST(HttpSigning, VectorsBodyMd5) {
    for (const auto& v : vectors()) {
        if (std::string_view(v.body).empty()) continue;
        EXPECT_EQ(md5_hex(v.body), v.query.back().second) << v.name;
    }
}

TEST(HttpSigning, VectorsVerifyAtTheirTimestamp) {
    for (const auto& v : vectors()) {
        Query q = v.query;
        q.emplace_back("auth_signature", v.signature);
        SignedRequest r{v.method, v.path, q, v.body};
        EXPECT_EQ(verify_signed_request(r, kKey, kSecret, kTimestamp), HttpAuthError::None)
            << v.name;
        // The signature excludes itself, wherever it appears in the query.
        Query first = v.query;
        first.insert(first.begin(), {"auth_signature", v.signature});
        EXPECT_EQ(string_to_sign({v.method, v.path, first, v.body}), v.string_to_sign) << v.name;
        // With a real clock these 2012 timestamps are stale.
        EXPECT_EQ(verify_signed_request(r, kKey, kSecret, kTimestamp + 601),
                  HttpAuthError::StaleTimestamp)
            << v.name;
    }
}

TEST(HttpSigning, Tv10AsSentOnTheRequestLine) {
    // The query order of the documented request line, signature included.
    Query q = {
        {"auth_key", "278d425bdf160c739803"},
        {"auth_timestamp", "1353088179"},
        {"auth_version", "1.0"},
        {"body_md5", "ec365a775a4cd0599faeb73354201b6f"},
        {"auth_signature", "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"}};
    std::string body = R"({"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"})";
    SignedRequest r{"POST", "/apps/3/events", q, body};
    EXPECT_EQ(verify_signed_request(r, kKey, kSecret, kTimestamp), HttpAuthError::None);
    // Any change to the body breaks the md5 binding.
    std::string tampered = body;
    tampered[10] = 'g';
    SignedRequest t{"POST", "/apps/3/events", q, tampered};
    EXPECT_EQ(verify_signed_request(t, kKey, kSecret, kTimestamp), HttpAuthError::BadBodyMd5);
}

// --- string to sign --------------------------------------------------------------------

TEST(StringToSign, MethodIsUpperCasedAndPathKeptRaw) {
    Query q = {{"b", "2"}, {"a", "1"}};
    EXPECT_EQ(string_to_sign({"post", "/apps/3/channels/presence%2Dx", q, ""}),
              "POST\n/apps/3/channels/presence%2Dx\na=1&b=2");
}

TEST(StringToSign, KeysLowerCasedAndSortedByByte) {
    Query q = {{"info", "x"}, {"Filter_By_Prefix", "p"}, {"AUTH_KEY", "k"}, {"Z", "z"}, {"_", "u"}};
    // '_' (0x5f) sorts after upper-case letters but before lower-case ones; all keys are lower.
    EXPECT_EQ(string_to_sign({"GET", "/p", q, ""}),
              "GET\n/p\n_=u&auth_key=k&filter_by_prefix=p&info=x&z=z");
}

TEST(StringToSign, ValuesAreInsertedWithoutEscaping) {
    // The Pusher reference example: decoded values, no re-escaping.
    Query q = {{"name", "Something else"}, {"auth_key", "foo"}};
    EXPECT_EQ(string_to_sign({"GET", "/x", q, ""}), "GET\n/x\nauth_key=foo&name=Something else");
    Query amp = {{"a", "x&b=y"}};
    EXPECT_EQ(string_to_sign({"GET", "/x", amp, ""}), "GET\n/x\na=x&b=y");
}

TEST(StringToSign, DuplicateKeysKeepTheLastValueOnce) {
    Query q = {{"info", "a"}, {"INFO", "b"}, {"other", "o"}, {"info", "c"}};
    EXPECT_EQ(string_to_sign({"GET", "/x", q, ""}), "GET\n/x\ninfo=c&other=o");
}

TEST(StringToSign, OnlyAuthSignatureIsExcluded) {
    Query q = {{"AUTH_SIGNATURE", "s"}, {"body_md5", "m"}, {"auth_signaturex", "kept"}};
    EXPECT_EQ(string_to_sign({"POST", "/x", q, "b"}), "POST\n/x\nauth_signaturex=kept&body_md5=m");
}

TEST(StringToSign, EmptyQueryAndEmptyValues) {
    EXPECT_EQ(string_to_sign({"GET", "/x", {}, ""}), "GET\n/x\n");
    Query q = {{"a", ""}, {"", "v"}};
    EXPECT_EQ(string_to_sign({"GET", "/x", q, ""}), "GET\n/x\n=v&a=");
}

// --- verification ------------------------------------------------------------------------

TEST(VerifySignedRequest, AcceptsAFreshlySignedRequest) {
    EXPECT_EQ(verify(signed_get()), HttpAuthError::None);
    EXPECT_EQ(verify(signed_get({{"info", "user_count"}, {"filter_by_prefix", "presence-"}})),
              HttpAuthError::None);
}

TEST(VerifySignedRequest, MissingParams) {
    for (std::string_view drop : {"auth_key", "auth_timestamp", "auth_signature"}) {
        Signed s = signed_get();
        std::erase_if(s.query, [&](const auto& p) { return p.first == drop; });
        EXPECT_EQ(verify(s), HttpAuthError::MissingParams) << drop;
    }
    SignedRequest empty{"GET", "/apps/3/channels", {}, ""};
    EXPECT_EQ(verify_signed_request(empty, kKey, kSecret, kTimestamp),
              HttpAuthError::MissingParams);
}

TEST(VerifySignedRequest, AuthVersionIsOptional) {
    Query q = {{"auth_key", std::string(kKey)}, {"auth_timestamp", std::to_string(kTimestamp)}};
    EXPECT_EQ(verify(sign("GET", "/apps/3/channels", q, "")), HttpAuthError::None);
}

TEST(VerifySignedRequest, UnknownKey) {
    Query q = base_query();
    q[0].second = "someone-elses-key";
    EXPECT_EQ(verify(sign("GET", "/apps/3/channels", q, "")), HttpAuthError::UnknownKey);
    q[0].second = std::string(kKey) + "x";
    EXPECT_EQ(verify(sign("GET", "/apps/3/channels", q, "")), HttpAuthError::UnknownKey);
}

TEST(VerifySignedRequest, BadVersion) {
    Query q = base_query();
    q[2].second = "2.0";
    EXPECT_EQ(verify(sign("GET", "/apps/3/channels", q, "")), HttpAuthError::BadVersion);
}

TEST(VerifySignedRequest, TimestampWindowIsInclusive) {
    Signed s = signed_get();
    EXPECT_EQ(verify(s, kTimestamp + 600), HttpAuthError::None);
    EXPECT_EQ(verify(s, kTimestamp - 600), HttpAuthError::None);
    EXPECT_EQ(verify(s, kTimestamp + 601), HttpAuthError::StaleTimestamp);
    EXPECT_EQ(verify(s, kTimestamp - 601), HttpAuthError::StaleTimestamp);
    EXPECT_EQ(verify_signed_request(s.view(), kKey, kSecret, kTimestamp + 30, 30),
              HttpAuthError::None);
    EXPECT_EQ(verify_signed_request(s.view(), kKey, kSecret, kTimestamp + 31, 30),
              HttpAuthError::StaleTimestamp);
}

TEST(VerifySignedRequest, MalformedTimestamps) {
    for (std::string_view ts :
         {"", "abc", "1353088179.0", " 1353088179", "1353088179 ", "+1353088179", "0x50a6a8b3",
          "99999999999999999999999", "-9223372036854775808"}) {
        Query q = base_query();
        q[1].second = std::string(ts);
        EXPECT_EQ(verify(sign("GET", "/apps/3/channels", q, "")), HttpAuthError::StaleTimestamp)
            << "'" << ts << "'";
    }
}

TEST(VerifySignedRequest, SignatureHexIsCaseInsensitiveButExact) {
    Signed good = signed_get();
    ASSERT_EQ(verify(good), HttpAuthError::None);
    Signed upper = good;
    for (char& c : upper.query.back().second) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    EXPECT_EQ(verify(upper), HttpAuthError::None);
    Signed shorter = good;
    shorter.query.back().second.pop_back();
    EXPECT_EQ(verify(shorter), HttpAuthError::BadSignature);
    Signed longer = good;
    longer.query.back().second.push_back('0');
    EXPECT_EQ(verify(longer), HttpAuthError::BadSignature);
    Signed empty = good;
    empty.query.back().second.clear();
    EXPECT_EQ(verify(empty), HttpAuthError::BadSignature);
}

TEST(VerifySignedRequest, BodyMd5Rules) {
    const std::string body = R"({"name":"e","channels":["c"],"data":"d"})";
    // Non-empty body: body_md5 required and must match.
    EXPECT_EQ(verify(sign("POST", "/apps/3/events", base_query(md5_hex(body)), body)),
              HttpAuthError::None);
    EXPECT_EQ(verify(sign("POST", "/apps/3/events", base_query(), body)),
              HttpAuthError::BadBodyMd5);
    EXPECT_EQ(verify(sign("POST", "/apps/3/events", base_query(md5_hex("other")), body)),
              HttpAuthError::BadBodyMd5);
    // Upper-case hex is accepted.
    std::string upper = md5_hex(body);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(verify(sign("POST", "/apps/3/events", base_query(upper), body)), HttpAuthError::None);
    // Empty body: body_md5 optional, but if present it must be the MD5 of nothing.
    EXPECT_EQ(verify(sign("GET", "/apps/3/channels", base_query(md5_hex("")), "")),
              HttpAuthError::None);
    EXPECT_EQ(verify(sign("GET", "/apps/3/channels", base_query(md5_hex("{}")), "")),
              HttpAuthError::BadBodyMd5);
}

TEST(VerifySignedRequest, SignatureMustCoverEverything) {
    Signed good = signed_get({{"info", "user_count"}});
    ASSERT_EQ(verify(good), HttpAuthError::None);

    Signed other_path = good;
    other_path.path = "/apps/3/channels/x";
    EXPECT_EQ(verify(other_path), HttpAuthError::BadSignature);

    Signed other_method = good;
    other_method.method = "POST";
    EXPECT_EQ(verify(other_method), HttpAuthError::BadSignature);

    Signed other_param = good;
    other_param.query[3].second = "subscription_count";
    EXPECT_EQ(verify(other_param), HttpAuthError::BadSignature);

    Signed extra_param = good;
    extra_param.query.emplace_back("filter_by_prefix", "presence-");
    EXPECT_EQ(verify(extra_param), HttpAuthError::BadSignature);

    Signed wrong_secret = sign("GET", "/apps/3/channels", base_query(), "", "not-the-secret");
    EXPECT_EQ(verify(wrong_secret), HttpAuthError::BadSignature);

    Signed truncated = good;
    truncated.query.back().second.pop_back();
    EXPECT_EQ(verify(truncated), HttpAuthError::BadSignature);

    Signed empty_sig = good;
    empty_sig.query.back().second.clear();
    EXPECT_EQ(verify(empty_sig), HttpAuthError::BadSignature);
}

TEST(VerifySignedRequest, LowerCaseMethodSignsLikeUpperCase) {
    Signed s = signed_get();
    s.method = "get";
    EXPECT_EQ(verify(s), HttpAuthError::None);
}

TEST(VerifySignedRequest, UpperCaseSignatureHexIsAccepted) {
    Signed s = signed_get();
    for (char& c : s.query.back().second) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    EXPECT_EQ(verify(s), HttpAuthError::None);
}

TEST(VerifySignedRequest, ParamKeysAreCaseInsensitive) {
    Query q = {{"AUTH_KEY", std::string(kKey)},
               {"Auth_Timestamp", std::to_string(kTimestamp)},
               {"auth_version", "1.0"}};
    Signed s = sign("GET", "/apps/3/channels", q, "");
    s.query.back().first = "Auth_Signature";
    EXPECT_EQ(verify(s), HttpAuthError::None);
}

TEST(VerifySignedRequest, DuplicateParamsUseTheLastForCheckingAndSigning) {
    // A first auth_key that is valid must not hide a second one that is not.
    Query q = base_query();
    q.emplace_back("auth_key", "intruder");
    EXPECT_EQ(verify(sign("GET", "/apps/3/channels", q, "")), HttpAuthError::UnknownKey);
    // And the reverse: the last auth_key is the app's, so the request is accepted.
    Query r = {{"auth_key", "intruder"}};
    for (auto& p : base_query()) r.push_back(p);
    EXPECT_EQ(verify(sign("GET", "/apps/3/channels", r, "")), HttpAuthError::None);
    // A stale first timestamp followed by a fresh one.
    Query t = {{"auth_timestamp", "1"}};
    for (auto& p : base_query()) t.push_back(p);
    EXPECT_EQ(verify(sign("GET", "/apps/3/channels", t, "")), HttpAuthError::None);
}

TEST(VerifySignedRequest, ChecksRunInSpecOrder) {
    // Unknown key is reported before a stale timestamp or a bad signature.
    Query q = base_query();
    q[0].second = "nope";
    q[1].second = "1";
    q.emplace_back("auth_signature", "bad");
    EXPECT_EQ(verify({"GET", "/x", q, ""}), HttpAuthError::UnknownKey);
    // Stale before body and signature.
    Query s = base_query("00000000000000000000000000000000");
    s[1].second = "1";
    s.emplace_back("auth_signature", "bad");
    EXPECT_EQ(verify({"POST", "/x", s, "body"}), HttpAuthError::StaleTimestamp);
    // Body before signature.
    Query b = base_query("00000000000000000000000000000000");
    b.emplace_back("auth_signature", "bad");
    EXPECT_EQ(verify({"POST", "/x", b, "body"}), HttpAuthError::BadBodyMd5);
}

TEST(VerifySignedRequest, DescribeEveryError) {
    for (HttpAuthError e :
         {HttpAuthError::None, HttpAuthError::MissingParams, HttpAuthError::UnknownKey,
          HttpAuthError::StaleTimestamp, HttpAuthError::BadBodyMd5, HttpAuthError::BadSignature,
          HttpAuthError::BadVersion}) {
        EXPECT_FALSE(describe(e).empty());
        EXPECT_NE(describe(e), "unknown");
    }
    EXPECT_EQ(describe(HttpAuthError::BadSignature), "Invalid signature");
}
