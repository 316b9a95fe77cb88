#pragma once

#include <array>
#include <optional>
#include <span>

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
    delete_records,
    move_cursor,
    sequence,
    open_job,
    close_job,
  };
  static constexpr std::size_t kSqlCount = 8;
  // Prepared once, then reused by every batch. A statement is only ever used
  // while holding the database's connection (inside apply), which is what the
  // Database's one-thread-at-a-time rule asks.
  Statement& statement(Connection& c, Sql which);

  Database& db_;
  std::array<std::optional<Statement>, kSqlCount> statements_;
  static constexpr std::uint64_t kSweepEvery = 1024;  // batches between sweeps of evicted rows
  std::uint64_t batches_ = 0;
};

}  // namespace blender_bus::store
