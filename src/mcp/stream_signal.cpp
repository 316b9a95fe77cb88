#include "mcp/stream_signal.hpp"

namespace blender_bus::mcp {

StreamSignal::Waker StreamSignal::take_waker_locked() {
  Waker waker = std::move(waker_);
  waker_ = nullptr;
  consumer_token_ = 0;
  return waker;
}

std::uint64_t StreamSignal::attach(Waker waker) {
  Waker previous;
  std::uint64_t token = 0;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return 0;
    previous = take_waker_locked();
    token = next_token_++;
    consumer_token_ = token;
    ever_attached_ = true;
    waker_ = std::move(waker);
  }
  if (previous) previous();
  return token;
}

void StreamSignal::detach(std::uint64_t token) {
  std::lock_guard lock(mutex_);
  if (token != 0 && token == consumer_token_) take_waker_locked();
}

bool StreamSignal::is_current(std::uint64_t token) const {
  std::lock_guard lock(mutex_);
  return token != 0 && token == consumer_token_ && !closed_;
}

bool StreamSignal::has_consumer() const {
  std::lock_guard lock(mutex_);
  return consumer_token_ != 0;
}

bool StreamSignal::ever_attached() const {
  std::lock_guard lock(mutex_);
  return ever_attached_;
}

void StreamSignal::wake() {
  Waker to_wake;
  {
    std::lock_guard lock(mutex_);
    to_wake = waker_;
  }
  if (to_wake) to_wake();
}

void StreamSignal::close() {
  Waker to_wake;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    to_wake = take_waker_locked();
  }
  if (to_wake) to_wake();
}

bool StreamSignal::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace blender_bus::mcp
