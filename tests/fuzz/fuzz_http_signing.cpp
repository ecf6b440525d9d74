// Treats arbitrary bytes as a signed HTTP API request ("METHOD\npath\nquery\nbody"), verifies
// it as received, then signs it properly and checks that the result verifies.
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/http_signing.hpp"
#include "protocol/signature.hpp"

namespace {

constexpr std::string_view kKey = "278d425bdf160c739803";
constexpr std::string_view kSecret = "7ad3773142a6692b25b8";
constexpr int64_t kNow = 1353088179;

std::string_view next_line(std::string_view& rest) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    return line;
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Form decoding as the API layer does it: '+' is a space, bad escapes are kept literally.
std::string form_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        const size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        const size_t eq = pair.find('=');
        out.emplace_back(form_decode(pair.substr(0, eq)), eq == std::string_view::npos
                                                              ? std::string()
                                                              : form_decode(pair.substr(eq + 1)));
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sockudo::protocol;
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    const std::string_view method = next_line(rest);
    const std::string_view path = next_line(rest);
    const std::string_view query = next_line(rest);
    const std::string_view body = rest;

    const auto params = parse_query(query);
    SignedRequest request{method, path, params, body};
    const std::string to_sign = string_to_sign(request);
    // METHOD\npath\n...: the method and path are always the first two lines.
    if (to_sign.size() < method.size() + path.size() + 2) __builtin_trap();
    const HttpAuthError as_received = verify_signed_request(request, kKey, kSecret, kNow);
    if (describe(as_received).empty()) __builtin_trap();
    // Without the secret, nothing but a matching HMAC can pass.
    if (as_received == HttpAuthError::None) {
        bool has_signature = false;
        for (const auto& [k, v] : request.query) {
            std::string lower = k;
            for (char& c : lower)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (lower == "auth_signature") has_signature = true;
        }
        if (!has_signature) __builtin_trap();
    }

    // Appended last, these win over anything the input carries (last occurrence wins).
    auto fixed_params = params;
    fixed_params.emplace_back("auth_key", std::string(kKey));
    fixed_params.emplace_back("auth_timestamp", std::to_string(kNow));
    fixed_params.emplace_back("auth_version", "1.0");
    fixed_params.emplace_back("body_md5", md5_hex(body));
    SignedRequest fixed{method, path, fixed_params, body};
    fixed_params.emplace_back("auth_signature", hmac_sha256_hex(kSecret, string_to_sign(fixed)));
    fixed.query = fixed_params;  // with the signature (the vector may also have reallocated)
    if (verify_signed_request(fixed, kKey, kSecret, kNow) != HttpAuthError::None) __builtin_trap();
    // And the same request with one flipped signature digit must fail.
    auto flipped_params = fixed_params;
    std::string& sig = flipped_params.back().second;
    sig[0] = sig[0] == '0' ? '1' : '0';
    SignedRequest flipped{method, path, flipped_params, body};
    if (verify_signed_request(flipped, kKey, kSecret, kNow) != HttpAuthError::BadSignature) {
        __builtin_trap();
    }
    return 0;
}
