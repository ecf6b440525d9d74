#include "protocol/http_signing.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "protocol/ascii.hpp"
#include "protocol/signature.hpp"

namespace sockudo::protocol {

namespace {

constexpr std::string_view kEmptyMd5 = "d41d8cd98f00b204e9800998ecf8427e";

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    return out;
}

// The last occurrence wins, for signing and processing alike (§11.2.2).
std::optional<std::string_view> param(const SignedRequest& r, std::string_view key) {
    std::optional<std::string_view> found;
    for (const auto& [k, v] : r.query) {
        if (iequals_ascii(k, key)) found = v;  // `key` is lower case
    }
    return found;
}

}  // namespace

std::string string_to_sign(const SignedRequest& request) {
    std::vector<std::pair<std::string, std::string_view>> params;
    params.reserve(request.query.size());
    size_t length = request.method.size() + request.path.size() + 2;  // at most this long
    for (const auto& [k, v] : request.query) {
        length += k.size() + v.size() + 2;
        std::string key = lower(k);
        if (key == "auth_signature") continue;
        auto it = std::find_if(params.begin(), params.end(),
                               [&](const auto& p) { return p.first == key; });
        if (it != params.end()) {
            it->second = v;
        } else {
            params.emplace_back(std::move(key), v);
        }
    }
    std::sort(params.begin(), params.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out;
    out.reserve(length);
    for (char c : request.method) out.push_back(ascii_upper(c));
    out.push_back('\n');
    out.append(request.path);
    out.push_back('\n');
    for (size_t i = 0; i < params.size(); ++i) {
        if (i > 0) out.push_back('&');
        out.append(params[i].first).push_back('=');
        out.append(params[i].second);
    }
    return out;
}

HttpAuthError verify_signed_request(const SignedRequest& request, std::string_view app_key,
                                    std::string_view app_secret, int64_t now_seconds,
                                    int64_t window_seconds) {
    auto key = param(request, "auth_key");
    auto timestamp = param(request, "auth_timestamp");
    auto signature = param(request, "auth_signature");
    if (!key || !timestamp || !signature) return HttpAuthError::MissingParams;
    if (!constant_time_equals(*key, app_key)) return HttpAuthError::UnknownKey;
    if (auto version = param(request, "auth_version"); version && *version != "1.0") {
        return HttpAuthError::BadVersion;
    }
    int64_t ts = 0;
    auto [end, ec] = std::from_chars(timestamp->data(), timestamp->data() + timestamp->size(), ts);
    if (ec != std::errc() || end != timestamp->data() + timestamp->size()) {
        return HttpAuthError::StaleTimestamp;
    }
    if (ts > now_seconds + window_seconds || ts < now_seconds - window_seconds) {
        return HttpAuthError::StaleTimestamp;
    }
    auto body_md5 = param(request, "body_md5");
    if (!request.body.empty()) {
        if (!body_md5 || !iequals_ascii(*body_md5, md5(request.body).view())) {
            return HttpAuthError::BadBodyMd5;
        }
    } else if (body_md5 && !iequals_ascii(*body_md5, kEmptyMd5)) {
        return HttpAuthError::BadBodyMd5;
    }
    const HexDigest expected = hmac_sha256(app_secret, string_to_sign(request));
    if (!constant_time_iequals(expected.view(), *signature)) return HttpAuthError::BadSignature;
    return HttpAuthError::None;
}

std::string_view describe(HttpAuthError error) {
    switch (error) {
        case HttpAuthError::None:
            return "ok";
        case HttpAuthError::MissingParams:
            return "Missing auth_key, auth_timestamp or auth_signature";
        case HttpAuthError::UnknownKey:
            return "The auth_key does not belong to this app";
        case HttpAuthError::StaleTimestamp:
            return "auth_timestamp is outside the 600 s window";
        case HttpAuthError::BadBodyMd5:
            return "body_md5 does not match the request body";
        case HttpAuthError::BadSignature:
            return "Invalid signature";
        case HttpAuthError::BadVersion:
            return "Unsupported auth_version";
    }
    return "unknown";
}

}  // namespace sockudo::protocol
