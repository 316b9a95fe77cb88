#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>

namespace blender_bus::transport {

// Counts open connections against a maximum. Thread-safe: connections are
// accepted on one thread and end on any. A slot may outlive the server that
// handed it out (a connection's coroutine is destroyed with its io_context),
// so slots share the count.
class ConnectionLimit {
  struct Count {
    std::atomic<std::size_t> open{0};
  };

 public:
  // Held while a connection is open; returns its place on destruction.
  class Slot {
   public:
    Slot(Slot&&) noexcept = default;
    Slot& operator=(Slot&&) noexcept = default;
    ~Slot() {
      if (count_) count_->open.fetch_sub(1, std::memory_order_relaxed);
    }

   private:
    friend class ConnectionLimit;
    explicit Slot(std::shared_ptr<Count> count) : count_(std::move(count)) {}
    std::shared_ptr<Count> count_;
  };

  explicit ConnectionLimit(std::size_t max) : max_(max) {}

  // A slot, or nullopt when `max` connections are open.
  std::optional<Slot> try_acquire() {
    std::size_t open = count_->open.load(std::memory_order_relaxed);
    do {
      if (open >= max_) return std::nullopt;
    } while (!count_->open.compare_exchange_weak(open, open + 1, std::memory_order_relaxed));
    return Slot(count_);
  }
  std::size_t open() const { return count_->open.load(std::memory_order_relaxed); }
  std::size_t max() const { return max_; }

 private:
  std::size_t max_;
  std::shared_ptr<Count> count_ = std::make_shared<Count>();
};

}  // namespace blender_bus::transport
