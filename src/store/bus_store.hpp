#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "store/bus_rows.hpp"
#include "store/database.hpp"

namespace blender_bus::store {

// The buses' tables in the shared store (component "bus"). Each call takes
// the database's connection for one short unit of work.
class BusStore {
 public:
  // Migrates the "bus" schema.
  explicit BusStore(Database& db);
  ~BusStore();
  BusStore(const BusStore&) = delete;
  BusStore& operator=(const BusStore&) = delete;

  // Everything durable, for the composition root to restore at start.
  BusSnapshot load();

  // Applies `mutations` in order, in one transaction (group commit). Throws
  // StoreError; then nothing of them is applied.
  void apply(std::span<const BusMutation> mutations);

 private:
  enum class Sql {
    upsert_client,
    delete_client,
    append_record,
    move_cursor,
    sequence,
    open_job,
    close_job,
    sweep_range,
    sweep_delete,
  };
  static constexpr std::size_t kSqlCount = 9;
  // Deletes every row of `user_id` (a deleted user: a namesake starts empty).
  // Rare, so bus_records is scanned rather than indexed by user.
  void purge_user(Connection& c, const std::string& user_id);
  // Prepared once, then reused by every batch. A statement is only ever used
  // while holding the database's connection (inside apply), which is what the
  // Database's one-thread-at-a-time rule asks.
  Statement& statement(Connection& c, Sql which);

  // Deletes rows evicted in memory (below their client's retained_from) and
  // rows of clients that are gone, a few with every batch: it visits up to
  // `budget` rows past a rowid cursor that walks the table and starts over
  // at its end. A whole-table sweep in one commit (tens of thousands of rows,
  // 50-200 ms) held every send waiting on that commit.
  void sweep_some(Connection& c, std::int64_t budget);

  Database& db_;
  std::array<std::optional<Statement>, kSqlCount> statements_;
  // Rows the sweep visits per row appended, and at least, per batch: more
  // than the rows a batch can make garbage, so the garbage stays bounded.
  static constexpr std::int64_t kSweepPerAppend = 2;
  static constexpr std::int64_t kSweepMin = 32;
  std::int64_t sweep_cursor_ = 0;  // rowids up to it were visited in this pass
  bool may_hold_garbage_ = true;   // something was evicted or removed since the last pass began
  bool garbage_in_pass_ = false;   // ... since this pass began
  // The highest seq stored per user (kept as rows are appended): a client row
  // created now starts above it.
  std::unordered_map<std::string, std::uint64_t> last_seq_;
};

}  // namespace blender_bus::store
