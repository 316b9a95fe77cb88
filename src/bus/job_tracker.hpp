#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bus/job_state.hpp"
#include "bus/requests.hpp"

namespace blender_bus::bus {

// Jobs of one user (SPEC §8): the open ones, job_id -> the client that sent it,
// and (beyond) the last update of recently finished ones, so a status query
// after completion still answers. Living inside a UserMessageBus is what keys it
// by (user, job_id). Not thread-safe: the bus's lock guards it.
class JobTracker {
 public:
  explicit JobTracker(std::size_t recent_capacity = 1024, std::size_t open_capacity = 65536);

  // Last writer wins: a second send with the same job_id takes it over.
  // Returns the ids of the oldest open jobs forgotten to stay within the
  // open capacity (usually none), so the caller can forget them durably too.
  // `target` and `now` describe the send, for the dashboard's job list.
  std::vector<std::string> remember(std::string job_id, std::string originator,
                                    std::string target = {}, double now = 0);

  // Undoing a change the store could not keep: forgets an open job, or puts a
  // closed one back as open with its last known state.
  void forget(std::string_view job_id);
  void reopen(std::string job_id, std::string originator);

  // The job's originator, if open. A terminal status (completed, failed,
  // cancelled) forgets the job in the same step; any other status keeps it.
  std::optional<std::string> correlate(std::string_view job_id, std::string_view status);

  // Records an update as the job's last known state (after correlate). A job
  // that is not open lands among the recent ones, bounded by the capacity.
  void note(const JobUpdate& update, double now = 0);

  // The job's last known state: open first, then recent.
  std::optional<JobState> state(std::string_view job_id) const;

  std::optional<std::string> originator(std::string_view job_id) const;
  std::size_t size() const { return open_.size(); }
  // Every open job, for a store snapshot and tests.
  std::vector<std::pair<std::string, std::string>> open_jobs() const;

  // The open jobs, newest first, then the recent ones, newest first; at
  // most `limit` of each (the dashboard's list).
  std::vector<JobState> latest(std::size_t limit) const;

  static bool is_terminal(std::string_view status);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, JobState, Hash, std::equal_to<>>;
  void keep_recent(JobState state);
  std::vector<std::string> trim_open();

  Map open_;
  Map recent_;
  // Recent jobs in arrival order with the version they arrived with; an entry
  // whose job was updated again since is stale and skipped on eviction.
  std::deque<std::pair<std::string, std::uint64_t>> recent_order_;
  std::size_t recent_capacity_;
  // Open jobs in opening order with the version they opened with, for the
  // open capacity; entries of jobs closed or reopened since are stale.
  std::deque<std::pair<std::string, std::uint64_t>> open_order_;
  std::size_t open_capacity_;
  std::uint64_t version_ = 0;
};

}  // namespace blender_bus::bus
