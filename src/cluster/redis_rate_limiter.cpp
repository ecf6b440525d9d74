#include "cluster/redis_rate_limiter.hpp"

#include <openssl/sha.h>

#include <random>

#include "transport/worker.hpp"

namespace sockudo::cluster {

namespace {

// KEYS[1] the log; ARGV: window (ms), limit, this request's member. Redis' own clock, so nodes
// with skewed clocks still share one window. Returns {allowed, remaining, ms until the oldest
// entry leaves the window}.
constexpr std::string_view kScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local reset = window
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return {allowed, limit - count, reset}
)lua";

std::string sha1_hex(std::string_view text) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : digest) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 15]);
    }
    return out;
}

const std::string& script_sha() {
    static const std::string sha = sha1_hex(kScript);
    return sha;
}

}  // namespace

RedisRateLimiter::RedisRateLimiter(std::shared_ptr<RedisCommandClient> client, std::string prefix)
    : client_(std::move(client)), prefix_(std::move(prefix)) {
    std::random_device rd;
    member_prefix_ = std::to_string(rd()) + std::to_string(rd()) + ":";
}

core::RateDecision RedisRateLimiter::decode(const RedisValue& reply, int64_t max_requests) {
    core::RateDecision d;
    d.limit = max_requests;
    if (reply.kind != RedisValue::Kind::Array || reply.elements.size() != 3) {
        d.allowed = false;
        d.unavailable = true;
        return d;
    }
    d.allowed = reply.elements[0].integer == 1;
    d.remaining = std::max<long long>(0, reply.elements[1].integer);
    d.reset_seconds = std::max<long long>(1, (reply.elements[2].integer + 999) / 1000);
    return d;
}

void RedisRateLimiter::check_async(std::string key, int64_t max_requests,
                                   std::chrono::seconds window, transport::Worker& worker,
                                   Done done) {
    auto args = std::make_shared<std::vector<std::string>>(std::vector<std::string>{
        "EVALSHA", script_sha(), "1", prefix_ + ":rl:" + key,
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(window).count()),
        std::to_string(max_requests),
        member_prefix_ + std::to_string(sequence_.fetch_add(1, std::memory_order_relaxed))});
    evaluate(std::move(args), true, worker, max_requests, std::move(done));
}

void RedisRateLimiter::evaluate(std::shared_ptr<std::vector<std::string>> args, bool by_hash,
                                transport::Worker& worker, int64_t max_requests, Done done) {
    std::vector<std::string> command = *args;
    if (!by_hash) {
        command[0] = "EVAL";
        command[1] = std::string(kScript);
    }
    client_->run(
        {std::move(command)}, [this, args, by_hash, &worker, max_requests,
                               done = std::move(done)](std::vector<RedisValue> replies) mutable {
            const RedisValue& reply = replies.front();
            // The script is sent once per Redis lifetime: after a restart or SCRIPT FLUSH it is
            // unknown again.
            if (by_hash && reply.failed() && reply.text.rfind("NOSCRIPT", 0) == 0) {
                return evaluate(std::move(args), false, worker, max_requests, std::move(done));
            }
            worker.post([d = decode(reply, max_requests), done = std::move(done)] { done(d); });
        });
}

}  // namespace sockudo::cluster
