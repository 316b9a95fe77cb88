#include "delivery/embedded/inbox.hpp"

#include <algorithm>

namespace blender_bus::delivery::embedded {

namespace {
std::size_t size_of(const InboxRecord& r) {
  return r.text ? r.text->size() : 0;
}
}  // namespace

bool Inbox::evict_front() {
  const InboxRecord& front = records_.front();
  const bool undelivered = front.seq > delivered_;
  if (front.held) forget_held(front.seq);
  evicted_ = std::max(evicted_, front.seq);
  bytes_ -= size_of(front);
  records_.pop_front();
  if (undelivered) ++dropped_;
  return undelivered;
}

std::size_t Inbox::append(InboxRecord record, const InboxLimits& limits, double now) {
  bytes_ += size_of(record);
  if (record.held) held_.push_back(record.seq);
  records_.push_back(std::move(record));
  std::size_t dropped = 0;
  // The newest record always stays, even when it alone passes the byte bound.
  while (records_.size() > 1 &&
         (records_.size() > limits.max_records || bytes_ > limits.max_bytes)) {
    dropped += evict_front() ? 1 : 0;
  }
  return dropped + expire(limits, now);
}

std::size_t Inbox::expire(const InboxLimits& limits, double now) {
  std::size_t dropped = 0;
  while (!records_.empty() && now - records_.front().timestamp > limits.max_age_seconds) {
    dropped += evict_front() ? 1 : 0;
  }
  return dropped;
}

Inbox::Records::iterator Inbox::find(std::uint64_t seq) {
  auto it = std::lower_bound(records_.begin(), records_.end(), seq,
                             [](const InboxRecord& r, std::uint64_t s) { return r.seq < s; });
  return it != records_.end() && it->seq == seq ? it : records_.end();
}

void Inbox::forget_held(std::uint64_t seq) {
  if (auto it = std::find(held_.begin(), held_.end(), seq); it != held_.end()) held_.erase(it);
}

bool Inbox::release(std::uint64_t seq) {
  auto it = find(seq);
  if (it == records_.end() || !it->held) return false;
  it->held = false;
  forget_held(seq);
  return true;
}

bool Inbox::withdraw(std::uint64_t seq) {
  auto it = find(seq);
  if (it == records_.end() || !it->held) return false;
  bytes_ -= size_of(*it);
  forget_held(seq);
  records_.erase(it);
  return true;
}

std::uint64_t Inbox::first_held_after(std::uint64_t seq) const {
  auto it = std::upper_bound(held_.begin(), held_.end(), seq);
  return it == held_.end() ? 0 : *it;
}

std::uint64_t Inbox::delivered_front() const {
  if (records_.empty() || records_.front().seq > delivered_) return 0;
  return records_.front().seq;
}

std::size_t Inbox::evict_oldest() {
  const std::size_t size = size_of(records_.front());
  evict_front();
  return size;
}

Inbox::Records::const_iterator Inbox::first_after(std::uint64_t seq) const {
  return std::upper_bound(records_.begin(), records_.end(), seq,
                          [](std::uint64_t s, const InboxRecord& r) { return s < r.seq; });
}

void Inbox::advance_delivered(std::uint64_t through) {
  delivered_ = std::max(delivered_, through);
}

std::size_t Inbox::pending() const {
  return static_cast<std::size_t>(records_.end() - first_after(delivered_));
}

}  // namespace blender_bus::delivery::embedded
