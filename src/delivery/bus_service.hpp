#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bus/job_state.hpp"
#include "bus/requests.hpp"
#include "delivery/activity_counts.hpp"
#include "delivery/bus_id.hpp"
#include "delivery/bus_journal.hpp"
#include "delivery/directory.hpp"
#include "delivery/embedded/bus_manager.hpp"
#include "delivery/embedded/client_directory.hpp"
#include "delivery/embedded/inbox_log.hpp"
#include "delivery/embedded/presence.hpp"
#include "delivery/record_log.hpp"
#include "delivery/waiters.hpp"
#include "mcp/session_registry.hpp"
#include "metrics/server_metrics.hpp"

namespace blender_bus::delivery {

// What a bus operation answers once it is settled: the tool result object,
// whether the call was refused for breaking a limit (nothing changed; the
// tools answer isError), and whether what it changed was stored. A call
// whose change could not be stored has been withdrawn (its records reach
// nobody, a registration is undone): the tool answers a store failure.
struct Settled {
  boost::json::object result;
  bool rejected = false;
  bool stored = true;
};

// A job's state for blender_job_status, and whether it is still open.
struct JobStatus {
  bus::JobState state;
  bool open = false;
};

// The delivery engine's one entry point for the tools: every operation on a
// bus (register, unregister, send, job update, list, pull, job status),
// driven through the two ports. A send is validated (bus/), resolved by the
// Directory, its records built once (bus::ForwardedRecord) and appended to
// the RecordLog, its job opened in the Directory; the answer waits for
// every change to settle. Thread-safe.
//
// The ports are the embedded engine's over `buses` and `journal`, or
// another engine's handed in (then `buses` only supplies ids, the clock and
// the limits). Every reader of bus state goes through the ports; only the
// embedded session stream source (BusStreamSource, its merged session view)
// and the counts below reach into `buses()`.
class BusService {
 public:
  // `journal` may be null: everything stays in memory. `metrics` may be
  // null: sends and deliveries are not counted.
  BusService(embedded::BusManager& buses, mcp::SessionRegistry& sessions,
             BusJournal* journal = nullptr, const metrics::ServerMetrics* metrics = nullptr);
  // Over another engine's ports (both must outlive this). `buses` still
  // serves what reads the embedded engine directly (see the class comment).
  BusService(embedded::BusManager& buses, mcp::SessionRegistry& sessions, RecordLog& log,
             Directory& directory, const metrics::ServerMetrics* metrics = nullptr);

  embedded::BusManager& buses() { return buses_; }
  mcp::SessionRegistry& sessions() { return sessions_; }
  const bus::Limits& limits() const { return buses_.limits(); }
  RecordLog& record_log() { return log_; }
  Directory& directory() { return directory_; }

  // --- Operations (SPEC §5, §9); `bus` names the caller's bus ---
  // blender_register_client on `session`'s bus: a takeover of a uuid another
  // live session holds is logged and that session woken to read its
  // client_displaced record; once stored, this session's stream is woken
  // for the records that waited for the client.
  boost::asio::awaitable<Settled> register_client(mcp::SessionPtr session,
                                                  bus::Registration registration);
  // The same on `bus`, which may be a shared bus the session's user is on:
  // the session's stream then carries that bus's records for the client too.
  boost::asio::awaitable<Settled> register_client(BusId bus, mcp::SessionPtr session,
                                                  bus::Registration registration);
  boost::asio::awaitable<Settled> unregister_client(BusId bus, std::string client_uuid);
  boost::asio::awaitable<Settled> send(BusId bus, const boost::json::object& payload,
                                       bus::SendRequest request);
  // Every update (not only the ones that open or close a job) wakes the
  // job's blender_job_status waiters.
  boost::asio::awaitable<Settled> job_update(BusId bus, bus::JobUpdate update);

  // blender_list_available_clients and the bus resources, with liveness.
  boost::json::object list_clients(const BusId& bus);
  boost::json::object clients_resource(const BusId& bus);
  boost::json::object stats_resource(const BusId& bus);

  // blender_receive_messages: waits up to `wait` for a record after `after`,
  // then reads; `after` acknowledges what it covers. nullopt: no such client.
  boost::asio::awaitable<std::optional<RecordRead>> receive(BusId bus, std::string client_uuid,
                                                            std::optional<std::uint64_t> after,
                                                            std::size_t limit,
                                                            std::chrono::milliseconds wait);
  // blender_job_status: with a wait, answers when the job's state changes (or
  // at the deadline); a finished job answers at once. nullopt: unknown job.
  boost::asio::awaitable<std::optional<JobStatus>> job_status(BusId bus, std::string job_id,
                                                              std::chrono::milliseconds wait);

  // --- Shared buses (bus::is_shared_bus) ---
  // The shared buses `session_id` registered clients on, in registration order.
  std::vector<BusId> shared_buses_of(std::string_view session_id) const;
  // A session ended: its ephemeral clients leave its personal bus and every
  // shared bus it used; its persistent ones stay, unbound.
  void session_ended(const mcp::Session& session);
  // Takes clients off `bus` at once (their member left or was removed):
  // unregistered, their pending records dropped, their streams no longer fed.
  boost::asio::awaitable<void> remove_clients(BusId bus, std::vector<std::string> client_uuids);
  // Forgets a shared bus nobody may read any more (its last owner was deleted).
  void purge_shared_bus(const BusId& bus);

  // Delivered cursors moved; journaled lazily (no ticket).
  void cursors_moved(std::string_view bus, const std::vector<embedded::CursorUpdate>& updates);

  // The user was deleted: ends their sessions, forgets their bus and purges
  // it from both ports, so a namesake starts empty. Blocks until the purge
  // is committed: call it from a worker thread.
  void forget_user(const std::string& user_id);

  // Liveness of sessions, for ClientInfo (SPEC §9).
  delivery::embedded::PresenceLookup presence() const;
  // Where presence() looks for an id no session has (the delivery channels
  // of MCP 2026-07-28 clients, which have no session). Set before serving.
  void presence_beyond_sessions(delivery::embedded::PresenceLookup lookup) {
    beyond_sessions_ = std::move(lookup);
  }

  // The long-polls and feeds waiting on the buses: a bus change wakes them
  // by Waiters::client_key / job_key.
  Waiters& waiters() { return waiters_; }

  // Counted by the embedded engine (its bus counts them under the lock its
  // send takes anyway); over another engine's ports, by this service
  // (ActivityCounts: the sends this process served).
  BusActivity activity(const BusId& bus) const;
  // Records dropped undelivered on buses removed since the start (so that a
  // total over bus_ids() never goes down); zero over another engine's ports.
  std::uint64_t dropped_on_removed_buses() const;

  // Records reached their reader: a stream wrote them or a pull returned them.
  void count_delivered(std::size_t records);

 private:
  // A send was routed and settled (counted by routing).
  void count_send(bus::RoutingMode routing);
  // Awaits an operation's changes: `job` first (records held behind it are
  // withdrawn when it fails), then `append`. Either may be null.
  boost::asio::awaitable<bool> settle(Settlement* job, Append* append);
  // A registration on `session` took `client_uuid` from session `displaced`.
  void report_takeover(const mcp::Session& session, const std::string& client_uuid,
                       const std::string& displaced);

  embedded::BusManager& buses_;
  mcp::SessionRegistry& sessions_;
  const metrics::ServerMetrics* metrics_;
  // The embedded ports, when this service built them.
  std::optional<embedded::InboxLog> inbox_log_;
  std::optional<embedded::ClientDirectory> client_directory_;
  RecordLog& log_;
  Directory& directory_;
  ActivityCounts activity_;  // over another engine's ports only
  Waiters waiters_;
  delivery::embedded::PresenceLookup beyond_sessions_;
  // Per session, the shared buses it registered clients on (few: a session
  // rarely joins more than one). Read by its stream on every batch.
  mutable std::mutex shared_sessions_mutex_;
  struct SessionIdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<BusId>, SessionIdHash, std::equal_to<>>
      shared_sessions_;
  // shared_sessions_.size(), read without the lock: a stream's batch on a
  // server where no session uses a shared bus costs one atomic load.
  std::atomic<std::size_t> shared_session_count_{0};
};

}  // namespace blender_bus::delivery
