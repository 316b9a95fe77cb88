#pragma once

#include <stdexcept>
#include <string>

namespace blender_bus::store {

// A failure reported by SQLite (or by the store's own bookkeeping). `what()`
// carries SQLite's message; `code()` its extended result code (0 when the
// error did not come from SQLite).
class StoreError : public std::runtime_error {
 public:
  explicit StoreError(const std::string& message, int code = 0)
      : std::runtime_error(message), code_(code) {}

  int code() const noexcept { return code_; }

 private:
  int code_;
};

}  // namespace blender_bus::store
