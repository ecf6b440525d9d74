#pragma once
// Parsing of client-to-server frames, lenient as protocol-v1 §2.4 asks: unknown fields are
// ignored and `data` of protocol events may be an object or a string holding an object.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace sockudo::protocol {

struct ClientMessage {
    std::string event;
    std::optional<std::string> channel;
    boost::json::value data;  // null when absent
};

enum class ClientMessageError { None, InvalidJson, NotAnObject, MissingEvent };

// Never throws; nesting deeper than 64 levels is InvalidJson.
ClientMessageError parse_client_message(std::string_view text, ClientMessage& out);

struct SubscribeData {
    std::optional<std::string> channel;  // only when a string
    std::optional<std::string> auth;
    std::optional<std::string> channel_data;  // byte-exact as received (it is signed)
};
SubscribeData subscribe_data(const boost::json::value& data);

struct SigninData {
    std::optional<std::string> auth;
    std::optional<std::string> user_data;  // byte-exact as received (it is signed)
};
SigninData signin_data(const boost::json::value& data);

// The relayed form of a client event's data (§2.3, §8.4): a string as is, anything else as
// its compact JSON text. Its length is what the payload limit applies to (§8.2 rule 7).
std::string data_as_string(const boost::json::value& data);

}  // namespace sockudo::protocol
