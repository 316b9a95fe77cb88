#include "mcp/session.hpp"

namespace blender_bus::mcp {

namespace {
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Session::Session(std::string id, std::string user_id)
    : id_(std::move(id)), user_id_(std::move(user_id)), last_activity_ns_(now_ns()) {}

std::string Session::protocol_version() const {
  std::lock_guard lock(mutex_);
  return protocol_version_;
}

void Session::set_protocol_version(std::string version) {
  std::lock_guard lock(mutex_);
  protocol_version_ = std::move(version);
}

void Session::set_log_threshold(LogLevel level) {
  std::lock_guard lock(mutex_);
  log_threshold_ = level;
}

bool Session::admits(LogLevel level) const {
  std::lock_guard lock(mutex_);
  return !log_threshold_ || static_cast<int>(level) <= static_cast<int>(*log_threshold_);
}

void Session::mark_cancelled(const std::string& request_id) {
  std::lock_guard lock(mutex_);
  // Bounded: a client cancelling ids that never existed cannot grow this.
  if (cancelled_requests_.size() < 1024) cancelled_requests_.insert(request_id);
}

bool Session::take_cancelled(const std::string& request_id) {
  std::lock_guard lock(mutex_);
  return cancelled_requests_.erase(request_id) > 0;
}

void Session::touch() {
  last_activity_ns_.store(now_ns());
}

std::chrono::steady_clock::time_point Session::last_activity() const {
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::nanoseconds(last_activity_ns_.load())));
}

double Session::last_activity_unix() const {
  const auto ago = std::chrono::steady_clock::now() - last_activity();
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch() - ago)
      .count();
}

void Session::end() {
  if (ended_.exchange(true)) return;
  stream_signal_.close();
}

}  // namespace blender_bus::mcp
