#pragma once

#include <string>

#include "store/database.hpp"

namespace blender_bus::cli {

// What a user's deletion takes out of a data directory's store, done by
// `user del` itself so that it holds with no server running: their bus
// (clients, records, sequence, jobs) and their shared buses
// (BusMemberships::remove_user over the store: memberships gone, ownership
// passed on or the bus archived, an archived bus's clients and records
// purged, their clients on a bus that stays unregistered). A running server
// does the same on noticing the deletion; the second time finds nothing.
// Cost: reading the shared buses' tables, a write per membership, and one
// apply for the bus rows.
void purge_user_from_store(store::Database& db, const std::string& username);

}  // namespace blender_bus::cli
