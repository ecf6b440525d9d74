#include "protocol/json_parse.hpp"

#include <boost/json/parse.hpp>
#include <optional>
#include <string>

namespace sockudo::protocol {

namespace json = boost::json;

namespace {

// The code unit of a `\uXXXX` escape starting at text[i], or -1 if there is none.
long escape_unit(std::string_view text, size_t i) {
    if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
    long unit = 0;
    for (size_t k = i + 2; k < i + 6; ++k) {
        const char c = text[k];
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        if (digit < 0) return -1;
        unit = unit * 16 + digit;
    }
    return unit;
}

// `text` with every unpaired surrogate escape replaced by `\ufffd` (same length), or nothing
// when it has none. Outside strings a backslash is a syntax error anyway, so escapes can be
// found without tracking string boundaries.
std::optional<std::string> without_lone_surrogates(std::string_view text) {
    std::optional<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '\\') {
            ++i;
            continue;
        }
        const long unit = escape_unit(text, i);
        if (unit < 0) {
            i += 2;  // `\\`, `\"` and friends: the escaped character is never an escape start
            continue;
        }
        const bool high = unit >= 0xD800 && unit <= 0xDBFF;
        const bool low = unit >= 0xDC00 && unit <= 0xDFFF;
        if (high) {
            const long next = escape_unit(text, i + 6);
            if (next >= 0xDC00 && next <= 0xDFFF) {
                i += 12;
                continue;
            }
        }
        if (high || low) {
            if (!out) out.emplace(text);
            out->replace(i, 6, "\\ufffd");
        }
        i += 6;
    }
    return out;
}

}  // namespace

json::value parse_json(std::string_view text, boost::system::error_code& ec) {
    json::parse_options options;
    options.max_depth = kMaxJsonDepth;
    json::value v = json::parse(text, ec, json::storage_ptr(), options);
    if (!ec) return v;
    // Only documents Boost already refused pay for the rescan.
    if (auto repaired = without_lone_surrogates(text)) {
        ec = {};
        v = json::parse(*repaired, ec, json::storage_ptr(), options);
    }
    return v;
}

}  // namespace sockudo::protocol
