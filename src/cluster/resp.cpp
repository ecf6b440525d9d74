#include "cluster/resp.hpp"

#include <new>

namespace sockudo::cluster {

void append_command(std::string& out, const std::vector<std::string_view>& argv) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    ptrs.reserve(argv.size());
    lens.reserve(argv.size());
    for (std::string_view a : argv) {
        ptrs.push_back(a.data());
        lens.push_back(a.size());
    }
    char* cmd = nullptr;
    const int n =
        redisFormatCommandArgv(&cmd, static_cast<int>(argv.size()), ptrs.data(), lens.data());
    if (n < 0 || cmd == nullptr) throw std::bad_alloc();
    out.append(cmd, static_cast<size_t>(n));
    redisFreeCommand(cmd);
}

RespReader::RespReader() : reader_(redisReaderCreate()) {
    if (reader_ == nullptr) throw std::bad_alloc();
}

RespReader::~RespReader() {
    redisReaderFree(reader_);
}

bool RespReader::feed(const char* data, size_t size) {
    return redisReaderFeed(reader_, data, size) == REDIS_OK;
}

ReplyPtr RespReader::next(bool& error) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader_, &reply) != REDIS_OK) {
        error = true;
        return nullptr;
    }
    return ReplyPtr(static_cast<redisReply*>(reply));
}

std::string_view reply_text(const redisReply* r) {
    if (r == nullptr) return {};
    switch (r->type) {
        case REDIS_REPLY_STRING:
        case REDIS_REPLY_STATUS:
        case REDIS_REPLY_ERROR:
            return {r->str, r->len};
        default:
            return {};
    }
}

}  // namespace sockudo::cluster
