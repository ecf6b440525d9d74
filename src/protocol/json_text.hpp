#pragma once
// Appending JSON text by hand: the server's outbound messages are built with string appends on
// the hot path, not through a DOM.

#include <string>
#include <string_view>

namespace sockudo::protocol {

// Appends `s` as a JSON string literal (quotes included). Non-ASCII UTF-8 is kept raw.
void append_json_string(std::string& out, std::string_view s);

inline std::string json_string(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    append_json_string(out, s);
    return out;
}

}  // namespace sockudo::protocol
