#pragma once

#include <string>

#include "delivery/feed.hpp"
#include "delivery/waiters.hpp"

namespace blender_bus::delivery {

// A feed's listener that wakes one key's waiters when the feed has records:
// how a long-poll and a listen hear of a client's records, from any node.
class WakeOnRecords final : public FeedListener {
 public:
  WakeOnRecords(Waiters& waiters, std::string key) : waiters_(waiters), key_(std::move(key)) {}
  void on_records() override { waiters_.wake(key_); }
  const std::string& key() const { return key_; }

 private:
  Waiters& waiters_;
  const std::string key_;
};

}  // namespace blender_bus::delivery
