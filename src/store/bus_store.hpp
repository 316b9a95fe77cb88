#pragma once

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

  // Everything durable, for the composition root to restore at start.
  BusSnapshot load();

  // Applies `mutations` in order, in one transaction (group commit). Throws
  // StoreError; then nothing of them is applied.
  void apply(std::span<const BusMutation> mutations);

 private:
  Database& db_;
};

}  // namespace blender_bus::store
