#include "cluster/loopback_transport.hpp"

#include <algorithm>

namespace sockudo::cluster {

void LoopbackHub::attach(LoopbackTransport* transport) {
    std::lock_guard lock(mutex_);
    transports_.push_back(transport);
}

void LoopbackHub::detach(LoopbackTransport* transport) {
    std::lock_guard lock(mutex_);
    transports_.erase(std::remove(transports_.begin(), transports_.end(), transport),
                      transports_.end());
}

bool LoopbackHub::up() const {
    std::lock_guard lock(mutex_);
    return up_;
}

void LoopbackHub::set_up(bool up) {
    std::lock_guard lock(mutex_);
    if (up_ == up) return;
    up_ = up;
    for (LoopbackTransport* t : transports_) t->enqueue({true, up, Channel::Broadcast, {}});
}

bool LoopbackHub::deliver(Channel channel, const std::string& payload,
                          std::string_view target_node) {
    std::lock_guard lock(mutex_);
    if (!up_) return false;
    for (LoopbackTransport* t : transports_) {
        if (channel == Channel::Node && t->node_id_ != target_node) continue;
        t->enqueue({false, false, channel, payload});
    }
    return true;
}

void LoopbackTransport::start(std::string own_node_id, Handlers handlers) {
    {
        std::lock_guard lock(mutex_);
        if (started_) return;
        started_ = true;
        node_id_ = std::move(own_node_id);
        handlers_ = std::move(handlers);
    }
    thread_ = std::thread([this] { run(); });
    hub_->attach(this);
    if (hub_->up()) enqueue({true, true, Channel::Broadcast, {}});
}

bool LoopbackTransport::publish(Channel channel, std::string payload,
                                std::string_view target_node) {
    const bool sent = hub_->deliver(channel, payload, target_node);
    std::lock_guard lock(mutex_);
    ++(sent ? stats_.published : stats_.dropped);
    return sent;
}

bool LoopbackTransport::enqueue(Item item) {
    std::lock_guard lock(mutex_);
    if (stopping_ || (!item.state_change && queue_.size() >= kQueueCapacity)) return false;
    queue_.push_back(std::move(item));
    wake_.notify_one();
    return true;
}

void LoopbackTransport::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        Item item = std::move(queue_.front());
        queue_.pop_front();
        if (!item.state_change) ++stats_.received;
        lock.unlock();
        if (item.state_change) {
            if (handlers_.on_state) handlers_.on_state(item.up);
        } else if (handlers_.on_message) {
            handlers_.on_message(item.channel, item.payload);
        }
        lock.lock();
    }
}

void LoopbackTransport::stop() {
    hub_->detach(this);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        wake_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
}

bool LoopbackTransport::up() const {
    return hub_->up();
}

TransportStats LoopbackTransport::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

}  // namespace sockudo::cluster
