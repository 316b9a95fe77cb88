#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "mcp/log_level.hpp"
#include "mcp/stream_signal.hpp"

namespace blender_bus::mcp {

// One MCP session: who opened it, what was negotiated, and its stream signal.
// Knows no transport. Shared between the connections that use it, so every
// member is thread-safe.
class Session {
 public:
  Session(std::string id, std::string user_id);

  const std::string& id() const { return id_; }
  // The user every request of this session acts as (the bearer token's `sub`).
  const std::string& user_id() const { return user_id_; }

  std::string protocol_version() const;
  void set_protocol_version(std::string version);
  bool initialized() const { return initialized_.load(); }
  void mark_initialized() { initialized_.store(true); }

  // logging/setLevel threshold. A session that never set one receives every
  // level (SPEC §7, beyond the original).
  void set_log_threshold(LogLevel level);
  bool admits(LogLevel level) const;

  // The standalone stream's consumer slot; the records come from a
  // StreamSource.
  StreamSignal& stream_signal() { return stream_signal_; }
  const StreamSignal& stream_signal() const { return stream_signal_; }

  // Activity, for idle expiry and liveness.
  void touch();
  std::chrono::steady_clock::time_point last_activity() const;
  // The same instant on the wall clock (Unix seconds), for ClientInfo.last_seen.
  double last_activity_unix() const;

  // notifications/cancelled: a cancelled request's response is not sent.
  void mark_cancelled(const std::string& request_id);
  // True (once) if the request was cancelled; forgets it.
  bool take_cancelled(const std::string& request_id);

  bool ended() const { return ended_.load(); }
  // Marks the session ended and stops its stream. Idempotent.
  void end();

 private:
  const std::string id_;
  const std::string user_id_;
  mutable std::mutex mutex_;
  std::string protocol_version_;
  std::optional<LogLevel> log_threshold_;
  std::set<std::string> cancelled_requests_;  // small: ids of in-flight requests only
  std::atomic<bool> initialized_{false};
  std::atomic<bool> ended_{false};
  std::atomic<std::int64_t> last_activity_ns_;
  StreamSignal stream_signal_;
};

using SessionPtr = std::shared_ptr<Session>;

}  // namespace blender_bus::mcp
