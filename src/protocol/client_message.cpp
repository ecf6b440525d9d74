#include "protocol/client_message.hpp"

#include "protocol/json_parse.hpp"
#include "protocol/json_text.hpp"

namespace sockudo::protocol {

namespace json = boost::json;

namespace {

json::value parse_lenient(std::string_view text) {
    boost::system::error_code ec;
    json::value v = parse_json(text, ec);
    if (ec) return nullptr;
    return v;
}

// `data` as an object: itself, or a string holding a JSON object.
const json::object* data_object(const json::value& data, json::value& holder) {
    if (data.is_object()) return &data.get_object();
    if (data.is_string()) {
        const json::string& s = data.get_string();
        holder = parse_lenient(std::string_view(s.data(), s.size()));
        if (holder.is_object()) return &holder.get_object();
    }
    return nullptr;
}

std::optional<std::string> string_field(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string()) return std::nullopt;
    const json::string& s = it->value().get_string();
    return std::string(s.data(), s.size());
}

}  // namespace

ClientMessageError parse_client_message(std::string_view text, ClientMessage& out) {
    boost::system::error_code ec;
    json::value root = parse_json(text, ec);
    if (ec) return ClientMessageError::InvalidJson;
    if (!root.is_object()) return ClientMessageError::NotAnObject;
    json::object& o = root.get_object();
    auto event = o.find("event");
    if (event == o.end() || !event->value().is_string()) return ClientMessageError::MissingEvent;
    const json::string& e = event->value().get_string();
    out.event.assign(e.data(), e.size());
    out.channel = string_field(o, "channel");
    auto data = o.find("data");
    out.data = data == o.end() ? json::value(nullptr) : std::move(data->value());
    return ClientMessageError::None;
}

SubscribeData subscribe_data(const json::value& data) {
    SubscribeData out;
    json::value holder;
    const json::object* o = data_object(data, holder);
    if (o == nullptr) return out;
    out.channel = string_field(*o, "channel");
    out.auth = string_field(*o, "auth");
    out.channel_data = string_field(*o, "channel_data");
    return out;
}

SigninData signin_data(const json::value& data) {
    SigninData out;
    json::value holder;
    const json::object* o = data_object(data, holder);
    if (o == nullptr) return out;
    out.auth = string_field(*o, "auth");
    out.user_data = string_field(*o, "user_data");
    return out;
}

std::string data_as_string(const json::value& data) {
    if (data.is_string()) {
        const json::string& s = data.get_string();
        return std::string(s.data(), s.size());
    }
    return to_json_text(data);
}

}  // namespace sockudo::protocol
