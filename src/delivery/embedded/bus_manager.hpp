#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bus/clock.hpp"
#include "bus/limits.hpp"
#include "bus/random_source.hpp"
#include "delivery/embedded/delivery_policy.hpp"
#include "delivery/embedded/user_message_bus.hpp"

namespace blender_bus::delivery::embedded {

// Every user's bus, by user id; a bus is created on its user's first use.
// Thread-safe: the manager's mutex covers only the user -> bus lookup; each bus
// then has its own lock, so users never contend with each other.
class BusManager {
 public:
  BusManager(bus::Clock clock, bus::RandomSource random, bus::Limits limits = {},
             DeliveryPolicy policy = {});
  BusManager(const BusManager&) = delete;
  BusManager& operator=(const BusManager&) = delete;

  // The user's bus, created empty if it does not exist yet. Never null.
  std::shared_ptr<UserMessageBus> bus(std::string_view user_id);
  // The user's bus, or null; never creates one (for read-only paths).
  std::shared_ptr<UserMessageBus> find(std::string_view user_id) const;
  // Forgets the user's bus (the user was deleted): their next use starts an
  // empty one. False when there was none.
  bool remove(std::string_view user_id);

  // A session of `user_id` ended: drops its ephemeral clients (SPEC §9) and
  // unbinds its persistent ones. Returns the uuids that left.
  std::vector<std::string> on_session_end(std::string_view user_id, std::string_view session_id);

  // Every bus now, and the records dropped undelivered on buses removed
  // before (so that a total over buses never goes down), read together.
  struct Buses {
    std::vector<std::shared_ptr<UserMessageBus>> buses;
    std::uint64_t removed_dropped_records = 0;
  };
  Buses all() const;

  std::size_t bus_count() const;
  std::size_t client_count() const;  // over every bus (for /health)

  // A fresh UUID v4 from the injected random source (e.g. for job ids).
  std::string new_id() const;
  const bus::Limits& limits() const { return limits_; }
  // The injected clock's time, and the random source (for a send's ids).
  double now() const { return clock_(); }
  const bus::RandomSource& random() const { return random_; }
  const DeliveryPolicy& policy() const { return policy_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  const bus::Clock clock_;
  const bus::RandomSource random_;
  const bus::Limits limits_;
  const DeliveryPolicy policy_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<UserMessageBus>, Hash, std::equal_to<>> buses_;
  std::uint64_t removed_dropped_records_ = 0;
};

}  // namespace blender_bus::delivery::embedded
