#include "bus/inbox.hpp"

#include <algorithm>

namespace blender_bus::bus {

namespace {
std::size_t size_of(const InboxRecord& r) {
  return r.text ? r.text->size() : 0;
}
}  // namespace

bool Inbox::evict_front() {
  const InboxRecord& front = records_.front();
  const bool undelivered = front.seq > delivered_;
  evicted_ = std::max(evicted_, front.seq);
  bytes_ -= size_of(front);
  records_.pop_front();
  if (undelivered) ++dropped_;
  return undelivered;
}

std::size_t Inbox::append(InboxRecord record, const InboxLimits& limits, double now) {
  bytes_ += size_of(record);
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

}  // namespace blender_bus::bus
