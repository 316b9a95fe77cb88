#include "mcp/outbound_queue.hpp"

#include <algorithm>

namespace blender_bus::mcp {

OutboundQueue::OutboundQueue(std::size_t window_capacity, std::size_t max_pending)
    : window_capacity_(std::max<std::size_t>(window_capacity, 1)),
      // A consumer must be cut off before its undelivered events leave the
      // window, or replay could not make up for them.
      max_pending_(std::clamp<std::size_t>(max_pending, 1, window_capacity_)) {}

OutboundQueue::Waker OutboundQueue::take_waker_locked() {
  Waker waker = std::move(waker_);
  waker_ = nullptr;
  consumer_token_ = 0;
  return waker;
}

OutboundQueue::PushOutcome OutboundQueue::push(std::string data) {
  Waker to_wake;
  PushOutcome outcome = PushOutcome::delivered_or_queued;
  {
    std::lock_guard lock(mutex_);
    window_.push_back(OutboundEvent{next_id_++, std::move(data)});
    if (window_.size() > window_capacity_) window_.pop_front();
    if (consumer_token_ != 0) {
      const std::uint64_t lag = (next_id_ - 1) - consumer_acked_;
      if (lag > max_pending_) {
        outcome = PushOutcome::consumer_cut_off;
        to_wake = take_waker_locked();
      } else {
        to_wake = waker_;
      }
    }
  }
  if (to_wake) to_wake();
  return outcome;
}

std::optional<std::vector<OutboundEvent>> OutboundQueue::after(std::uint64_t cursor,
                                                               std::size_t limit) const {
  std::lock_guard lock(mutex_);
  const std::uint64_t last = next_id_ - 1;
  if (cursor > last) return std::nullopt;
  std::vector<OutboundEvent> out;
  if (cursor == last) return out;
  const std::uint64_t first_kept = window_.empty() ? next_id_ : window_.front().id;
  if (cursor + 1 < first_kept) return std::nullopt;
  const std::size_t start = static_cast<std::size_t>(cursor + 1 - first_kept);
  const std::size_t count = std::min(limit, window_.size() - start);
  out.reserve(count);
  for (std::size_t i = start; i < start + count; ++i) out.push_back(window_[i]);
  return out;
}

std::uint64_t OutboundQueue::last_id() const {
  std::lock_guard lock(mutex_);
  return next_id_ - 1;
}

std::uint64_t OutboundQueue::attach(Waker waker, std::uint64_t resume_from) {
  Waker previous;
  std::uint64_t token = 0;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return 0;
    previous = take_waker_locked();
    token = next_token_++;
    consumer_token_ = token;
    consumer_acked_ = std::min(resume_from, next_id_ - 1);
    waker_ = std::move(waker);
  }
  if (previous) previous();
  return token;
}

void OutboundQueue::detach(std::uint64_t token) {
  std::lock_guard lock(mutex_);
  if (token != 0 && token == consumer_token_) take_waker_locked();
}

void OutboundQueue::acknowledge(std::uint64_t token, std::uint64_t delivered_through) {
  std::lock_guard lock(mutex_);
  if (token == consumer_token_) consumer_acked_ = delivered_through;
}

bool OutboundQueue::is_current(std::uint64_t token) const {
  std::lock_guard lock(mutex_);
  return token != 0 && token == consumer_token_ && !closed_;
}

bool OutboundQueue::has_consumer() const {
  std::lock_guard lock(mutex_);
  return consumer_token_ != 0;
}

void OutboundQueue::close() {
  Waker to_wake;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    to_wake = take_waker_locked();
  }
  if (to_wake) to_wake();
}

bool OutboundQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace blender_bus::mcp
