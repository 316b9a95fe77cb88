#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace blender_bus::nats {

// Message ids unique to this object: "<16 random hex digits>-<counter>".
// Thread-safe.
class UniqueIds {
 public:
  UniqueIds();
  std::string next();

 private:
  std::string prefix_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace blender_bus::nats
