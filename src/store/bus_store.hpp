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
  };
  static constexpr std::size_t kSqlCount = 7;
  // Deletes every row of `user_id` (a deleted user: a namesake starts empty).
  // Rare, so bus_records is scanned rather than indexed by user.
  void purge_user(Connection& c, const std::string& user_id);
  // Prepared once, then reused by every batch. A statement is only ever used
  // while holding the database's connection (inside apply), which is what the
  // Database's one-thread-at-a-time rule asks.
  Statement& statement(Connection& c, Sql which);

  // Deletes rows evicted in memory (below their client's retained_from) and
  // rows of clients that are gone, when that is due; see sweep_due().
  void sweep(Connection& c);
  // The sweep scans the whole table, so it runs only when there may be
  // garbage and the table has at least doubled since the last one: its cost
  // is then at most two row visits per row inserted, and garbage never
  // outgrows the live rows by more than that factor.
  bool sweep_due() const;

  Database& db_;
  std::array<std::optional<Statement>, kSqlCount> statements_;
  static constexpr std::uint64_t kMinRowsBetweenSweeps = 4096;
  std::uint64_t rows_ = 0;              // rows in bus_records (kept as they change)
  std::uint64_t rows_after_sweep_ = 0;  // rows_ when the last sweep ended
  std::uint64_t inserted_since_sweep_ = 0;
  bool may_hold_garbage_ = true;  // something was evicted or removed since the last sweep
  // The highest seq stored per user (kept as rows are appended): a client row
  // created now starts above it.
  std::unordered_map<std::string, std::uint64_t> last_seq_;
};

}  // namespace blender_bus::store
