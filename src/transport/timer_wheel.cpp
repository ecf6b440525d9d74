#include "transport/timer_wheel.hpp"

namespace sockudo::transport {

void TimerNode::disarm() {
    if (wheel_ != nullptr) wheel_->unlink(*this);
}

TimerWheel::TimerWheel(uint32_t tick_ms, uint32_t slots)
    : tick_ms_(tick_ms == 0 ? 1 : tick_ms), slots_(slots == 0 ? 1 : slots, nullptr) {}

TimerWheel::~TimerWheel() {
    for (TimerNode*& head : slots_) {
        while (head != nullptr) unlink(*head);
    }
    while (firing_ != nullptr) unlink(*firing_);
}

void TimerWheel::push_front(TimerNode*& head, TimerNode& node) {
    node.prev_ = nullptr;
    node.next_ = head;
    if (head != nullptr) head->prev_ = &node;
    head = &node;
}

void TimerWheel::unlink(TimerNode& node) {
    TimerNode*& head = node.firing_ ? firing_ : slots_[node.due_tick_ % slots_.size()];
    if (node.prev_ != nullptr) {
        node.prev_->next_ = node.next_;
    } else {
        head = node.next_;
    }
    if (node.next_ != nullptr) node.next_->prev_ = node.prev_;
    node.prev_ = node.next_ = nullptr;
    node.firing_ = false;
    node.wheel_ = nullptr;
    --armed_;
}

void TimerWheel::arm(TimerNode& node, uint64_t delay_ms) {
    if (node.wheel_ != nullptr) node.wheel_->unlink(node);
    // Round up so a timer never fires early; at least one tick ahead.
    uint64_t ticks = (delay_ms + tick_ms_ - 1) / tick_ms_;
    if (ticks == 0) ticks = 1;
    node.due_tick_ = now_tick_ + ticks;
    push_front(slots_[node.due_tick_ % slots_.size()], node);
    node.wheel_ = this;
    ++armed_;
}

void TimerWheel::advance(uint64_t now_tick) {
    while (now_tick_ < now_tick) {
        ++now_tick_;
        size_t slot = now_tick_ % slots_.size();
        // Move the due nodes to the firing list first: a callback may re-arm into this slot,
        // or disarm (even destroy) another due node, which then leaves the firing list.
        for (TimerNode* node = slots_[slot]; node != nullptr;) {
            TimerNode* next = node->next_;
            if (node->due_tick_ <= now_tick_) {
                unlink(*node);
                push_front(firing_, *node);
                node->firing_ = true;
                node->wheel_ = this;
                ++armed_;
            }
            node = next;
        }
        while (firing_ != nullptr) {
            TimerNode* node = firing_;
            unlink(*node);
            node->target_->on_timer(node->kind_);
        }
    }
}

}  // namespace sockudo::transport
