#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/job_state.hpp"
#include "bus/requests.hpp"
#include "delivery/bus_journal.hpp"
#include "delivery/embedded/bus_manager.hpp"
#include "delivery/embedded/inbox_read.hpp"
#include "delivery/embedded/outcome.hpp"
#include "delivery/embedded/presence.hpp"
#include "delivery/waiters.hpp"
#include "mcp/session_registry.hpp"
#include "metrics/server_metrics.hpp"

namespace blender_bus::delivery {

// What a bus operation that changes a bus answers once it is settled: the
// bus's outcome, and whether what it changed was stored. A call whose change
// could not be stored has been withdrawn (its records reach nobody, a
// registration is undone): the tool answers a store failure.
struct Settled {
  delivery::embedded::Outcome outcome;
  bool stored = true;
};

// A job's state for blender_job_status, and whether it is still open.
struct JobStatus {
  bus::JobState state;
  bool open = false;
};

// The delivery engine's one entry point for the tools: every operation on a
// user's bus (register, unregister, send, job update, list, pull, job status)
// and what follows a change, in one place: hand what must survive a restart
// to the journal (when the server keeps one), wait for its commit, then wake
// the streams and long-polls that wait for its records. The bus decides;
// this delivers. Thread-safe.
class BusService {
 public:
  // `journal` may be null: everything stays in memory. `metrics` may be
  // null: sends and deliveries are not counted.
  BusService(delivery::embedded::BusManager& buses, mcp::SessionRegistry& sessions,
             BusJournal* journal = nullptr, const metrics::ServerMetrics* metrics = nullptr);

  delivery::embedded::BusManager& buses() { return buses_; }
  mcp::SessionRegistry& sessions() { return sessions_; }
  const bus::Limits& limits() const { return buses_.limits(); }

  // --- Operations (SPEC §5, §9) ---
  // blender_register_client on `session`'s bus: a takeover of a uuid another
  // live session holds is logged and that session woken to read its
  // client_displaced record; once stored, this session's stream is woken
  // for the records that waited for the client.
  boost::asio::awaitable<Settled> register_client(mcp::SessionPtr session,
                                                  bus::Registration registration);
  boost::asio::awaitable<Settled> unregister_client(std::string user_id, std::string client_uuid);
  boost::asio::awaitable<Settled> send(std::string user_id, const boost::json::object& payload,
                                       bus::SendRequest request);
  // Every update (not only the ones that open or close a job) wakes the
  // job's blender_job_status waiters.
  boost::asio::awaitable<Settled> job_update(std::string user_id, bus::JobUpdate update);

  // blender_list_available_clients and the bus resources, with liveness.
  boost::json::object list_clients(std::string_view user_id);
  boost::json::object clients_resource(std::string_view user_id);
  boost::json::object stats_resource(std::string_view user_id);

  // blender_receive_messages: waits up to `wait` for a record after `after`,
  // then reads; `after` acknowledges what it covers. nullopt: no such client.
  boost::asio::awaitable<std::optional<delivery::embedded::PullRead>> receive(
      std::string user_id, std::string client_uuid, std::optional<std::uint64_t> after,
      std::size_t limit, std::chrono::milliseconds wait);
  // blender_job_status: with a wait, answers when the job's state changes (or
  // at the deadline); a finished job answers at once. nullopt: unknown job.
  boost::asio::awaitable<std::optional<JobStatus>> job_status(std::string user_id,
                                                              std::string job_id,
                                                              std::chrono::milliseconds wait);

  // --- Around the operations ---
  // Journals what `outcome` changed on `user_id`'s bus and waits until what
  // must survive a restart is committed (no thread blocks); then its held
  // records become deliverable and their readers are woken. When the commit
  // fails, the outcome is withdrawn from the bus (its records reach nobody,
  // a registration is undone) and this returns false. Records of an outcome
  // that keeps nothing durable are woken at once.
  boost::asio::awaitable<bool> settle(std::string user_id,
                                      const delivery::embedded::Outcome& outcome);
  // Delivered cursors moved; journaled lazily (no ticket).
  void cursors_moved(std::string_view user_id,
                     const std::vector<delivery::embedded::CursorUpdate>& updates);

  // The user was deleted: ends their sessions, forgets their bus and purges
  // it from the journal, so a namesake starts empty. Blocks until the purge
  // is committed: call it from a worker thread.
  void forget_user(const std::string& user_id);

  // Liveness of sessions, for ClientInfo (SPEC §9).
  delivery::embedded::PresenceLookup presence() const;

  // Records reached their reader: a stream wrote them or a pull returned them.
  void count_delivered(std::size_t records);

 private:
  // A send was routed and settled (counted by routing).
  void count_send(const delivery::embedded::Outcome& outcome);
  // Settles a change and pairs it with whether it was stored.
  boost::asio::awaitable<Settled> settled(std::string user_id, delivery::embedded::Outcome outcome);
  // Wakes the sessions and long-polls that wait for the outcome's records.
  void wake_readers(std::string_view user_id, const delivery::embedded::Outcome& outcome);
  // A registration on `session` took `client_uuid` from session `displaced`.
  void report_takeover(const mcp::Session& session, const std::string& client_uuid,
                       const std::string& displaced);

  delivery::embedded::BusManager& buses_;
  mcp::SessionRegistry& sessions_;
  BusJournal* journal_;
  const metrics::ServerMetrics* metrics_;
  Waiters waiters_;
};

}  // namespace blender_bus::delivery
