#pragma once
// RESP encoding and decoding through hiredis (redisFormatCommandArgv and redisReader), so the
// sockets stay on Boost.Asio (and TLS) while the protocol is hiredis'.

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sockudo::cluster {

// Appends one command (argv form, binary-safe) to `out`.
void append_command(std::string& out, const std::vector<std::string_view>& argv);

struct ReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// Incremental reply parser: feed() bytes as they arrive, then next() until it returns null.
class RespReader {
public:
    RespReader();
    ~RespReader();
    RespReader(const RespReader&) = delete;
    RespReader& operator=(const RespReader&) = delete;

    // False on a protocol error (the stream cannot be trusted any more).
    bool feed(const char* data, size_t size);
    // The next complete reply, or null when more bytes are needed. Sets `error` on a protocol
    // error.
    ReplyPtr next(bool& error);

private:
    redisReader* reader_;
};

// The text of a string, status or error reply; empty for other types.
std::string_view reply_text(const redisReply* r);

}  // namespace sockudo::cluster
