// Parses arbitrary bytes as a client frame, as the session does, and relays the result.
#include <boost/json/parse.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/client_message.hpp"
#include "protocol/server_message.hpp"
#include "protocol/utf8.hpp"

namespace {

namespace json = boost::json;

// Whether a strict parser accepts `text`; every frame the server emits must pass. Output
// nests deeper than input (envelopes add levels), so the limit here is above the server's 64.
bool is_json(std::string_view text) {
    json::parse_options options;
    options.max_depth = 256;
    boost::system::error_code ec;
    json::parse(text, ec, json::storage_ptr(), options);
    return !ec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sockudo::protocol;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    ClientMessage msg;
    if (parse_client_message(text, msg) != ClientMessageError::None) return 0;
    // A parsed frame was valid UTF-8 JSON, so everything taken from it is UTF-8.
    if (!is_valid_utf8(text) || !is_valid_utf8(msg.event)) __builtin_trap();

    SubscribeData sub = subscribe_data(msg.data);
    SigninData signin = signin_data(msg.data);
    if (sub.channel_data && !is_valid_utf8(*sub.channel_data)) __builtin_trap();
    if (signin.user_data && !is_valid_utf8(*signin.user_data)) __builtin_trap();

    // The relay path of a client event (§8.4): the result must be one valid JSON frame whose
    // data decodes back to exactly the relayed string.
    const std::string payload = data_as_string(msg.data);
    if (!msg.data.is_string() && !is_json(payload)) __builtin_trap();
    const std::string user = "u";
    const std::string frame = server_message::channel_event(msg.event, msg.channel.value_or("c"),
                                                            payload, msg.channel ? &user : nullptr);
    json::parse_options options;
    options.max_depth = 256;
    boost::system::error_code ec;
    json::value v = json::parse(frame, ec, json::storage_ptr(), options);
    if (ec || !v.is_object() || !v.get_object().contains("data")) __builtin_trap();
    const json::value& relayed = v.get_object().at("data");
    if (!relayed.is_string() || std::string_view(relayed.get_string()) != payload) __builtin_trap();

    if (sub.channel) {
        if (!is_json(server_message::subscription_succeeded(*sub.channel))) __builtin_trap();
        if (!is_json(server_message::cache_miss(*sub.channel))) __builtin_trap();
    }
    if (signin.user_data && !is_json(server_message::signin_success(*signin.user_data))) {
        __builtin_trap();
    }
    return 0;
}
