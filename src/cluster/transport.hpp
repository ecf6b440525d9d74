#pragma once
// The message engine between nodes (operations.md §3.2), reduced to what the cluster logic needs:
// publish bytes on a logical channel, receive what the other nodes publish, and know whether the
// broker is reachable. Redis pub/sub and NATS implement it; the cluster logic above never sees
// which one it talks to.
//
// Threading contract (every driver):
//  * start() spawns the driver's own thread; every handler is called on that one thread, in the
//    order the broker delivered the messages of one logical channel.
//  * publish() may be called from any thread, never blocks on the network, and never throws. It
//    hands the message to the driver's bounded outbound queue and returns false when the message
//    was dropped (broker down, or the queue full): callers count it, nothing waits for it.
//  * While the broker is unreachable the driver reconnects with exponential back-off (500 ms
//    doubling to 10 s) and, once connected again, subscribes to the same channels before it
//    reports up.
//  * stop() is idempotent, joins the thread, and no handler runs after it returns.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sockudo::cluster {

// The logical channels of §3.2. Drivers map them to their own names exactly as Sockudo does, so
// the default prefix "sockudo_adapter:" gives the same names: with prefix P, Redis uses
// "P:#broadcast", "P:#requests", "P:#responses", "P:#node:{id}" ("sockudo_adapter::#broadcast");
// NATS uses "P.broadcast", "P.requests", "P.responses", "P.node.{id}".
enum class Channel { Broadcast, Requests, Responses, Node };

struct TransportStats {
    uint64_t published = 0;
    uint64_t dropped = 0;  // publish() returned false
    uint64_t received = 0;
    uint64_t reconnections = 0;
};

// What a driver counts, written from any of its threads; stats() is a snapshot of it.
struct TransportCounters {
    std::atomic<uint64_t> published{0};
    std::atomic<uint64_t> dropped{0};
    std::atomic<uint64_t> received{0};
    std::atomic<uint64_t> reconnections{0};

    TransportStats snapshot() const {
        TransportStats s;
        s.published = published.load(std::memory_order_relaxed);
        s.dropped = dropped.load(std::memory_order_relaxed);
        s.received = received.load(std::memory_order_relaxed);
        s.reconnections = reconnections.load(std::memory_order_relaxed);
        return s;
    }
};

class Transport {
public:
    struct Handlers {
        // One message from another node (or from this node: drivers do not filter echoes; the
        // cluster logic drops messages carrying its own node id). Channel::Node messages are
        // always addressed to this node.
        std::function<void(Channel channel, std::string_view payload)> on_message;
        // Reachability changed: true once connected and subscribed, false when the connection is
        // lost or could not be made.
        std::function<void(bool up)> on_state;
    };

    virtual ~Transport() = default;

    // Connects (asynchronously: returns at once) and subscribes to Broadcast, Requests,
    // Responses and Node(own_node_id).
    virtual void start(std::string own_node_id, Handlers handlers) = 0;
    // Node: `target_node` is the node to reach; ignored for the other channels.
    virtual bool publish(Channel channel, std::string payload,
                         std::string_view target_node = {}) = 0;
    virtual void stop() = 0;

    virtual bool up() const = 0;
    virtual const char* driver_name() const = 0;  // "redis", "nats"
    virtual TransportStats stats() const = 0;
};

using TransportPtr = std::unique_ptr<Transport>;

}  // namespace sockudo::cluster
