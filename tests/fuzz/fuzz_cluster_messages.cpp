// Decodes arbitrary bytes as every cluster message (broadcast, request, response, presence
// slice), and checks that what decodes re-encodes to text that decodes to the same message.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cluster/cluster_messages.hpp"
#include "cluster/presence_registry.hpp"

using namespace sockudo::cluster;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto b = decode_broadcast(text)) {
        auto again = decode_broadcast(encode(*b));
        if (!again || again->message != b->message ||
            again->except_socket_id != b->except_socket_id)
            std::abort();
    }
    if (auto r = decode_request(text)) {
        auto again = decode_request(encode(*r));
        if (!again || again->type != r->type || again->channels != r->channels ||
            again->user_id != r->user_id) {
            std::abort();
        }
    }
    if (auto r = decode_response(text)) {
        auto again = decode_response(encode(*r));
        if (!again || again->channels_with_sockets_count != r->channels_with_sockets_count ||
            again->members.size() != r->members.size()) {
            std::abort();
        }
    }
    if (auto s = decode_slice(text)) {
        auto again = decode_slice(encode_slice(*s));
        if (!again || again->channels != s->channels) std::abort();
    }
    return 0;
}
