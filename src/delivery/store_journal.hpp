#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "delivery/bus_journal.hpp"
#include "store/bus_rows.hpp"
#include "store/group_commit.hpp"

namespace blender_bus::delivery {

// The BusJournal over the SQLite store's group commit: persistent clients,
// their records, open jobs and each user's sequence (SPEC §9). Ephemeral
// clients and their records stay in memory only.
class StoreJournal final : public BusJournal {
 public:
  // A user's sequence is written with its first id and then every
  // kSequenceStride ids (records of persistent clients carry their own ids
  // exactly, and the restore takes the highest into account); after a restart the
  // sequence resumes kSequenceGap above what was stored, which is more than
  // it can lag, so an SSE id is never issued twice.
  static constexpr std::uint64_t kSequenceStride = 1024;
  static constexpr std::uint64_t kSequenceGap = 1u << 20;

  explicit StoreJournal(store::GroupCommit& commit) : commit_(commit) {}

  std::uint64_t record(std::string_view user_id,
                       const delivery::embedded::Outcome& outcome) override;
  void record_cursors(std::string_view user_id,
                      const std::vector<delivery::embedded::CursorUpdate>& updates) override;
  void when_durable(std::uint64_t ticket, std::function<void(bool committed)> done) override;
  void commit_soon() override { commit_.request_commit(); }
  void forget_user(std::string_view user_id) override;

 private:
  store::GroupCommit& commit_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::uint64_t> journaled_sequence_;  // by user
};

}  // namespace blender_bus::delivery
