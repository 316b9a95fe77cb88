#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bus/bus_views.hpp"
#include "bus/client_info.hpp"
#include "bus/job_state.hpp"
#include "bus/requests.hpp"
#include "bus/routing.hpp"
#include "delivery/bus_id.hpp"
#include "delivery/settlement.hpp"

namespace blender_bus::delivery {

// A client a routing reached, as the fan-out needs it.
struct Target {
  std::string uuid;
  bool persistent = false;
  std::string holder;  // the registration's holder (its MCP session); may be empty
};

// Directory::register_client's answer.
struct RegisterResult {
  // Refused before anything changed (a bound: clients per bus); the text
  // names it, for the tool's error result.
  std::optional<std::string> refusal;
  bus::ClientInfo client;  // as registered (pending/dropped counts filled)
  // The uuid was bound to this other live holder, which lost it (a
  // takeover, SPEC §4): it gets a client_displaced notice.
  std::optional<std::string> displaced_holder;
  // false: the registration could not be stored and was undone.
  bool stored = true;
};

// Directory::unregister_client's answer.
struct UnregisterResult {
  bool found = false;
  bool stored = true;  // false: the removal could not be stored (the client stays)
};

// Port 2 of the delivery engine: who is on a bus (SPEC §4), who holds each
// client's feed (presence), and the bus's open jobs (SPEC §8). Thread-safe.
// Reads (resolve, snapshot, find, job reads) are synchronous, from memory
// (embedded: the truth; JetStream: a mirror of the KV buckets), so the send
// path never waits on the network to pick its targets.
class Directory {
 public:
  virtual ~Directory() = default;

  // --- Clients ---
  // SPEC §4: a known uuid is updated in place (client_type, capabilities,
  // group_id, label, last_seen, and the holder when one is given) and keeps
  // uuid, bucket and connected_at; a new one is added last in its bucket.
  // `registration.session_id` is the holder: a uuid bound to another holder
  // is taken over (RegisterResult::displaced_holder). Answered once stored
  // (persistent clients survive a restart).
  virtual boost::asio::awaitable<RegisterResult> register_client(
      const BusId& bus, bus::Registration registration) = 0;
  virtual boost::asio::awaitable<UnregisterResult> unregister_client(
      const BusId& bus, std::string_view client_uuid) = 0;

  // The clients `routing` reaches, in bus order (persistent first, then
  // ephemeral, each in first-registration order): direct the one uuid, group
  // and type their members (the origin included), broadcast everyone but the
  // origin. Synchronous, from memory.
  virtual std::vector<Target> resolve(const BusId& bus, const bus::Routing& routing,
                                      std::string_view origin) const = 0;

  // Every client in its bucket, in bus order, with its liveness fields and
  // counts filled (blender_list_available_clients, the bus resources).
  virtual bus::ClientSnapshot snapshot(const BusId& bus) const = 0;
  virtual std::optional<bus::ClientInfo> find(const BusId& bus,
                                              std::string_view client_uuid) const = 0;
  // The clients bound to `holder`, in bus order.
  virtual std::vector<std::string> clients_of(const BusId& bus, std::string_view holder) const = 0;
  // `holder` ended (its session closed): its ephemeral clients leave the bus
  // (their uuids are returned), its persistent ones stay, unbound.
  virtual std::vector<std::string> end_holder(const BusId& bus, std::string_view holder) = 0;

  // --- Presence: who holds a client's feed (a stream, a streaming receive) ---
  virtual void hold(const BusId& bus, std::string_view client_uuid, std::string_view holder) = 0;
  virtual void release(const BusId& bus, std::string_view client_uuid, std::string_view holder) = 0;
  // Some holder holds the client's feed (on any node).
  virtual bool online(const BusId& bus, std::string_view client_uuid) const = 0;
  // In a cluster, the node holding each online client's feed, by uuid (the
  // dashboard's node column); empty on a single server, which has no nodes.
  virtual std::unordered_map<std::string, std::string> feed_nodes(const BusId&) const { return {}; }
  // The node this directory serves, in a cluster; nullopt on a single server.
  virtual std::optional<std::string> node() const { return std::nullopt; }

  // --- Jobs (SPEC §8) ---
  // A send from `originator` opens `job_id` (last writer wins: a second send
  // with the same id takes it over). `target` is the send's spec
  // ("uuid:X", "group:X", "type:X", "broadcast"), `now` its time.
  virtual std::unique_ptr<Settlement> open_job(const BusId& bus, std::string_view job_id,
                                               std::string_view originator, std::string_view target,
                                               double now) = 0;
  // The job's originator while it is open.
  virtual std::optional<std::string> job_originator(const BusId& bus,
                                                    std::string_view job_id) const = 0;
  // Correlates an update with its job (SPEC §8): records it as the job's
  // last state, and a terminal status (completed, failed, cancelled) closes
  // the job. The caller routed the update by job_originator beforehand.
  virtual std::unique_ptr<Settlement> correlate_job(const BusId& bus, const bus::JobUpdate& update,
                                                    double now) = 0;
  virtual std::optional<bus::JobState> job_state(const BusId& bus,
                                                 std::string_view job_id) const = 0;
  virtual std::size_t open_job_count(const BusId& bus) const = 0;
  // The open jobs and then the finished ones, newest first, at most `limit` of each.
  virtual std::vector<bus::JobState> latest_jobs(const BusId& bus, std::size_t limit) const = 0;

  // --- Buses ---
  // Every bus with a client or a job (embedded: every bus used since the
  // start), for the readers that look across buses (/health, /metrics, the
  // dashboard); in no particular order.
  virtual std::vector<BusId> bus_ids() const = 0;

  // The bus is gone (its user was deleted): its clients, presence and jobs
  // go. May block until that is stored: never call it on an I/O thread.
  virtual void purge_bus(const BusId& bus) = 0;
};

}  // namespace blender_bus::delivery
