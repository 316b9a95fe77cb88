#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bus/bus_manager.hpp"
#include "bus/inbox_read.hpp"
#include "bus/outcome.hpp"
#include "bus/presence.hpp"
#include "mcp/session_registry.hpp"
#include "tools/bus_journal.hpp"
#include "tools/waiters.hpp"

namespace blender_bus::tools {

// What follows a bus operation, in one place: wake the streams and long-polls
// that wait for its records, and hand what must survive a restart to the
// journal (when the server keeps one). The bus decides; this delivers.
class DeliveryHub {
 public:
  // `journal` may be null: everything stays in memory.
  DeliveryHub(bus::BusManager& buses, mcp::SessionRegistry& sessions,
              BusJournal* journal = nullptr);

  bus::BusManager& buses() { return buses_; }
  mcp::SessionRegistry& sessions() { return sessions_; }
  Waiters& waiters() { return waiters_; }
  BusJournal* journal() { return journal_; }

  // Wakes and journals what `outcome` changed on `user_id`'s bus. Returns the
  // journal ticket the answer must wait for (0: nothing durable).
  std::uint64_t settle(std::string_view user_id, const bus::Outcome& outcome);
  // Delivered cursors moved; journaled lazily (no ticket).
  void cursors_moved(std::string_view user_id, const std::vector<bus::CursorUpdate>& updates);

  // The user was deleted: ends their sessions, forgets their bus and purges
  // it from the journal, so a namesake starts empty. Blocks until the purge
  // is committed: call it from a worker thread.
  void forget_user(const std::string& user_id);

  // Liveness of sessions, for ClientInfo (SPEC §9).
  bus::PresenceLookup presence() const;

 private:
  bus::BusManager& buses_;
  mcp::SessionRegistry& sessions_;
  BusJournal* journal_;
  Waiters waiters_;
};

}  // namespace blender_bus::tools
