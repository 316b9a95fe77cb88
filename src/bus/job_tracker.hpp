#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace blender_bus::bus {

// Open jobs of one user: job_id -> the client that sent it (SPEC §8). Living
// inside a UserMessageBus is what keys it by (user, job_id). Not thread-safe:
// the bus's lock guards it.
class JobTracker {
 public:
  // Last writer wins: a second send with the same job_id takes it over.
  void remember(std::string job_id, std::string originator);

  // The job's originator, if open. A terminal status (completed, failed,
  // cancelled) forgets the job in the same step; any other status keeps it.
  std::optional<std::string> correlate(std::string_view job_id, std::string_view status);

  std::optional<std::string> originator(std::string_view job_id) const;
  std::size_t size() const { return jobs_.size(); }

  static bool is_terminal(std::string_view status);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> jobs_;
};

}  // namespace blender_bus::bus
