#include "protocol/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>

namespace sockudo::protocol {

namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (Unicode Table 3-7), 0 if none.
size_t utf8_sequence_length(std::string_view s, size_t i) {
    const auto at = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const auto cont = [&](size_t k, unsigned lo, unsigned hi) {
        return i + k < s.size() && at(k) >= lo && at(k) <= hi;
    };
    const unsigned char b = at(0);
    if (b >= 0xC2 && b <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
    if (b >= 0xE0 && b <= 0xEF) {
        const unsigned lo = b == 0xE0 ? 0xA0 : 0x80;
        const unsigned hi = b == 0xED ? 0x9F : 0xBF;  // no surrogates
        return cont(1, lo, hi) && cont(2, 0x80, 0xBF) ? 3 : 0;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        const unsigned lo = b == 0xF0 ? 0x90 : 0x80;
        const unsigned hi = b == 0xF4 ? 0x8F : 0xBF;
        return cont(1, lo, hi) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    }
    return 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    size_t run_start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') continue;
        if (c >= 0x80) {
            const size_t n = utf8_sequence_length(s, i);
            if (n != 0) {
                i += n - 1;
                continue;
            }
            // Frames must be UTF-8 (a browser fails the whole connection otherwise), and some
            // strings carry bytes nobody validated, such as a percent-decoded app key.
            out.append(s.data() + run_start, i - run_start);
            run_start = i + 1;
            out.append("\\ufffd");
            continue;
        }
        out.append(s.data() + run_start, i - run_start);
        run_start = i + 1;
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            case '\b':
                out.append("\\b");
                break;
            case '\f':
                out.append("\\f");
                break;
            default:
                out.append("\\u00");
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xF]);
        }
    }
    out.append(s.data() + run_start, s.size() - run_start);
    out.push_back('"');
}

namespace {

namespace json = boost::json;

bool has_non_finite(const json::value& v) {
    switch (v.kind()) {
        case json::kind::double_:
            return !std::isfinite(v.get_double());
        case json::kind::array:
            for (const auto& e : v.get_array()) {
                if (has_non_finite(e)) return true;
            }
            return false;
        case json::kind::object:
            for (const auto& kv : v.get_object()) {
                if (has_non_finite(kv.value())) return true;
            }
            return false;
        default:
            return false;
    }
}

void null_non_finite(json::value& v) {
    switch (v.kind()) {
        case json::kind::double_:
            if (!std::isfinite(v.get_double())) v = nullptr;
            break;
        case json::kind::array:
            for (auto& e : v.get_array()) null_non_finite(e);
            break;
        case json::kind::object:
            for (auto& kv : v.get_object()) null_non_finite(kv.value());
            break;
        default:
            break;
    }
}

}  // namespace

std::string to_json_text(const json::value& value) {
    // The scan is cheap next to serialising; the copy happens only for the rare bad input.
    if (!has_non_finite(value)) return json::serialize(value);
    json::value copy = value;
    null_non_finite(copy);
    return json::serialize(copy);
}

}  // namespace sockudo::protocol
