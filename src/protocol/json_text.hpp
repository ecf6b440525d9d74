#pragma once
// Appending JSON text by hand: the server's outbound messages are built with string appends on
// the hot path, not through a DOM.

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

namespace sockudo::protocol {

// Appends `s` as a JSON string literal (quotes included). Well-formed non-ASCII UTF-8 is kept
// raw; each byte of an ill-formed sequence becomes \ufffd, so the result is always UTF-8.
void append_json_string(std::string& out, std::string_view s);

inline std::string json_string(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    append_json_string(out, s);
    return out;
}

// Compact JSON text of a parsed value. Numbers beyond the double range parse as infinity,
// which Boost would print as `Infinity` (not JSON); they become null, as in JSON.stringify.
std::string to_json_text(const boost::json::value& value);

}  // namespace sockudo::protocol
