#pragma once
// Parsing client- and app-supplied JSON text the way JSON.parse reads it.

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <string_view>

namespace sockudo::protocol {

constexpr unsigned kMaxJsonDepth = 64;

// Parses `text`, nesting limited to kMaxJsonDepth; never throws. JSON.stringify writes a lone
// UTF-16 surrogate as an unpaired \uD800-\uDFFF escape, which JSON.parse accepts and Boost
// refuses; such an escape is read as U+FFFD instead of failing the whole document.
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec);

}  // namespace sockudo::protocol
