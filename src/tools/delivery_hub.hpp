#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus_manager.hpp"
#include "bus/inbox_read.hpp"
#include "bus/outcome.hpp"
#include "bus/presence.hpp"
#include "mcp/session_registry.hpp"
#include "metrics/server_metrics.hpp"
#include "tools/bus_journal.hpp"
#include "tools/waiters.hpp"

namespace blender_bus::tools {

// What follows a bus operation, in one place: hand what must survive a
// restart to the journal (when the server keeps one), wait for its commit,
// then wake the streams and long-polls that wait for its records. The bus
// decides; this delivers.
class DeliveryHub {
 public:
  // `journal` may be null: everything stays in memory. `metrics` may be
  // null: sends and deliveries are not counted.
  DeliveryHub(bus::BusManager& buses, mcp::SessionRegistry& sessions, BusJournal* journal = nullptr,
              const metrics::ServerMetrics* metrics = nullptr);

  bus::BusManager& buses() { return buses_; }
  mcp::SessionRegistry& sessions() { return sessions_; }
  Waiters& waiters() { return waiters_; }
  BusJournal* journal() { return journal_; }

  // A send was routed and settled (counted by routing).
  void count_send(const bus::Outcome& outcome);
  // Records reached their reader: a stream wrote them or a pull returned them.
  void count_delivered(std::size_t records);

  // Journals what `outcome` changed on `user_id`'s bus and waits until what
  // must survive a restart is committed (no thread blocks); then its held
  // records become deliverable and their readers are woken. When the commit
  // fails, the outcome is withdrawn from the bus (its records reach nobody,
  // a registration is undone) and this returns false: the tool answers an
  // error and nothing of the call remains. Records of an outcome that keeps
  // nothing durable are woken at once.
  boost::asio::awaitable<bool> settle(std::string user_id, const bus::Outcome& outcome);
  // Delivered cursors moved; journaled lazily (no ticket).
  void cursors_moved(std::string_view user_id, const std::vector<bus::CursorUpdate>& updates);

  // The user was deleted: ends their sessions, forgets their bus and purges
  // it from the journal, so a namesake starts empty. Blocks until the purge
  // is committed: call it from a worker thread.
  void forget_user(const std::string& user_id);

  // Liveness of sessions, for ClientInfo (SPEC §9).
  bus::PresenceLookup presence() const;

 private:
  // Wakes the sessions and long-polls that wait for the outcome's records.
  void wake_readers(std::string_view user_id, const bus::Outcome& outcome);

  bus::BusManager& buses_;
  mcp::SessionRegistry& sessions_;
  BusJournal* journal_;
  const metrics::ServerMetrics* metrics_;
  Waiters waiters_;
};

}  // namespace blender_bus::tools
