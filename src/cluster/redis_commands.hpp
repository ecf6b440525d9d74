#pragma once
// Request/reply Redis commands for state the nodes of a cluster share (cache channels, rate
// limits). One pipelined connection on the client's own thread; callers on any thread queue a
// command with a handler and never wait. A command is answered exactly once: with Redis' reply,
// or with an error when Redis is unreachable, too slow (`timeout`) or too far behind
// (`max_in_flight`). Nothing is buffered while the connection is down.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/redis_url.hpp"

namespace sockudo::cluster {

// A reply, copied out of hiredis' structure so it can cross threads.
struct RedisValue {
    enum class Kind : uint8_t { Nil, Integer, Text, Array, Error };
    Kind kind = Kind::Nil;
    long long integer = 0;
    std::string text;  // string and status replies; the message of an error
    std::vector<RedisValue> elements;

    bool failed() const { return kind == Kind::Error; }
    static RedisValue error(std::string message) {
        RedisValue v;
        v.kind = Kind::Error;
        v.text = std::move(message);
        return v;
    }
};

struct RedisCommandSettings {
    config::RedisTarget target;
    std::string name = "redis";                 // for log lines
    std::chrono::milliseconds timeout{1000};    // per command, and to connect
    std::chrono::milliseconds idle_ping{2000};  // a PING when nothing else was sent for this long
    size_t max_in_flight = 10000;
};

class RedisCommandClient {
public:
    using Command = std::vector<std::string>;
    // Runs on the client's thread, or on the caller's when the command is refused at once.
    using Handler = std::function<void(std::vector<RedisValue>)>;

    explicit RedisCommandClient(RedisCommandSettings settings);
    ~RedisCommandClient();
    RedisCommandClient(const RedisCommandClient&) = delete;
    RedisCommandClient& operator=(const RedisCommandClient&) = delete;

    void start();
    // Waits up to `deadline` for the first connection; for start-up decisions only.
    bool wait_connected(std::chrono::milliseconds deadline) const;
    // Sends the commands back to back; `done` gets one reply per command, in order (all of them
    // errors when the batch could not be sent or answered).
    void run(std::vector<Command> commands, Handler done);
    // Handlers not yet called are dropped; none runs after stop() returns.
    void stop();

    bool connected() const;
    uint64_t failures() const;  // commands answered with an error by us, not by Redis

private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace sockudo::cluster
