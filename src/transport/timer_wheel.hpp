#pragma once
// A hashed timer wheel: one per worker, driven by a single OS timer. Connections embed a
// TimerNode and (re)arm it; arming and disarming are O(1) and allocate nothing, so 100k idle
// connections cost one pointer pair each instead of an OS timer each.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sockudo::transport {

class TimerWheel;

// Implemented by whoever owns a TimerNode.
class TimerTarget {
public:
    virtual void on_timer(int kind) = 0;

protected:
    ~TimerTarget() = default;
};

class TimerNode {
public:
    TimerNode(TimerTarget* target, int kind) : target_(target), kind_(kind) {}
    ~TimerNode() { disarm(); }
    TimerNode(const TimerNode&) = delete;
    TimerNode& operator=(const TimerNode&) = delete;

    bool armed() const { return wheel_ != nullptr; }
    void disarm();

private:
    friend class TimerWheel;
    TimerNode* prev_ = nullptr;
    TimerNode* next_ = nullptr;
    TimerWheel* wheel_ = nullptr;
    uint64_t due_tick_ = 0;
    bool firing_ = false;  // on the wheel's list of nodes being fired this tick
    TimerTarget* target_;
    int kind_;
};

class TimerWheel {
public:
    // tick_ms: resolution; slots: wheel size (deadlines further away wrap around and wait).
    explicit TimerWheel(uint32_t tick_ms = 250, uint32_t slots = 1024);
    ~TimerWheel();

    // Fires `node` once, no earlier than `delay_ms` from the current tick. Re-arming moves it.
    void arm(TimerNode& node, uint64_t delay_ms);

    // Advances to `now_tick` firing every due node. Callbacks may arm or disarm any node.
    void advance(uint64_t now_tick);

    uint64_t now_tick() const { return now_tick_; }
    uint32_t tick_ms() const { return tick_ms_; }
    size_t armed_count() const { return armed_; }

private:
    friend class TimerNode;
    void unlink(TimerNode& node);
    void push_front(TimerNode*& head, TimerNode& node);

    uint32_t tick_ms_;
    std::vector<TimerNode*> slots_;  // heads of doubly linked lists
    TimerNode* firing_ = nullptr;    // due nodes of the tick being processed
    uint64_t now_tick_ = 0;
    size_t armed_ = 0;
};

}  // namespace sockudo::transport
