#pragma once
// An in-process broker: several nodes in one process share a LoopbackHub, each with its own
// LoopbackTransport honouring the Transport threading contract (one handler thread, bounded
// queue, non-blocking publish). Unit tests use it to run a cluster without a network, and to
// take the "broker" down and up again.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/transport.hpp"

namespace sockudo::cluster {

class LoopbackTransport;

class LoopbackHub {
public:
    // Broker reachability for every attached transport; each reports it through on_state.
    void set_up(bool up);
    bool up() const;

private:
    friend class LoopbackTransport;
    void attach(LoopbackTransport* transport);
    void detach(LoopbackTransport* transport);
    bool deliver(Channel channel, const std::string& payload, std::string_view target_node);

    mutable std::mutex mutex_;
    std::vector<LoopbackTransport*> transports_;
    bool up_ = true;
};

class LoopbackTransport final : public Transport {
public:
    static constexpr size_t kQueueCapacity = 10'000;

    explicit LoopbackTransport(std::shared_ptr<LoopbackHub> hub) : hub_(std::move(hub)) {}
    ~LoopbackTransport() override { stop(); }

    void start(std::string own_node_id, Handlers handlers) override;
    bool publish(Channel channel, std::string payload, std::string_view target_node = {}) override;
    void stop() override;
    bool up() const override;
    const char* driver_name() const override { return "loopback"; }
    TransportStats stats() const override;

private:
    friend class LoopbackHub;
    struct Item {
        bool state_change = false;
        bool up = false;
        Channel channel = Channel::Broadcast;
        std::string payload;
    };
    bool enqueue(Item item);
    void run();

    std::shared_ptr<LoopbackHub> hub_;
    std::string node_id_;
    Handlers handlers_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Item> queue_;
    bool stopping_ = false;
    bool started_ = false;
    TransportStats stats_;
    std::thread thread_;
};

}  // namespace sockudo::cluster
