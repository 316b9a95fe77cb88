#pragma once

#include <boost/json/object.hpp>
#include <compare>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bus/bus_views.hpp"
#include "bus/client_info.hpp"
#include "bus/client_table.hpp"
#include "bus/clock.hpp"
#include "bus/job_tracker.hpp"
#include "bus/limits.hpp"
#include "bus/priority.hpp"
#include "bus/random_source.hpp"
#include "bus/requests.hpp"
#include "bus/routing.hpp"
#include "delivery/directory.hpp"
#include "delivery/embedded/delivery_policy.hpp"
#include "delivery/embedded/inbox.hpp"
#include "delivery/embedded/inbox_read.hpp"
#include "delivery/embedded/outcome.hpp"
#include "delivery/embedded/presence.hpp"

namespace blender_bus::delivery::embedded {

// A persistent client read back from the durable store at start.
struct RestoredClient {
  bus::ClientInfo info;
  std::uint64_t delivered = 0;
  std::vector<InboxRecord> records;  // increasing seq
};

// One user's private bus (SPEC §4–8): its clients in two buckets, its open
// jobs, and last_activity. Thread-safe: one mutex, held only while reading or
// updating the tables; JSON records are built after it is released.
//
// Clients are kept in a ClientTable (indexed by uuid, group_id, client_type
// and session; every recipient list in one stable order), each with its inbox.
//
// Every record for a client goes into that client's Inbox with the next
// user-level seq, assigned under the lock, so the records of all the clients
// of one session merge into one increasing sequence: a session's stream
// position is a single number (the SSE event id).
class UserMessageBus {
 public:
  UserMessageBus(std::string user_id, bus::Clock clock, bus::RandomSource random,
                 bus::Limits limits, DeliveryPolicy policy = {});
  UserMessageBus(const UserMessageBus&) = delete;
  UserMessageBus& operator=(const UserMessageBus&) = delete;

  const std::string& user_id() const { return user_id_; }

  // blender_register_client: {"status":"ok","client":<ClientInfo>}. A known
  // uuid is updated in place (client_type, capabilities, group_id, last_seen,
  // session) and keeps uuid, bucket and connected_at. Taking a uuid from
  // another session that still holds it (a takeover) leaves that session one
  // `client_displaced` record (warning, SPEC §7 shape, payload
  // {"kind":"client_displaced","client_uuid","reason"}) and names it in
  // Outcome::displaced_session.
  Outcome register_client(bus::Registration registration);

  // blender_unregister_client: {"status":"ok"|"not_found","client_uuid"}.
  Outcome unregister_client(std::string_view client_uuid);

  // A whole send or job update on this bus in one call, from the same steps
  // as below (bus::plan_send, resolve, append, open_job or correlate_job):
  // what this engine's own tests drive. The server goes through
  // delivery::BusService and the ports, which await each change's settlement.
  //
  // blender_send_message: {"status":"ok","message_id","job_id","targets","routing"}
  // plus one delivery per target; a bad priority answers
  // {"status":"error","error":"Unknown priority: '<value>'"} and routes nothing.
  Outcome send(const boost::json::object& payload, const bus::SendRequest& request);

  // blender_job_update: {"status":"ok","delivered":"direct"|"broadcast","targets"}.
  // The record's payload names the updating session's first client
  // ("client_uuid"), so a caller that sent to several can tell the replies apart.
  Outcome job_update(const bus::JobUpdate& update);

  // --- The steps of a send or job update (InboxLog and ClientDirectory
  // call them for BusService) ---
  // The clients `routing` reaches, in bus order; notes the bus's activity at
  // `now`, and a send (for the bus's counts) when `counts_send`.
  std::vector<Target> resolve(const bus::Routing& routing, std::string_view origin, double now,
                              bool counts_send);
  // Appends `out.deliveries` (target, level, text, timestamp set) to their
  // clients' inboxes with the next seqs, filling in seq, session and
  // persistence; targets that left get nothing. Held (invisible until
  // release) when `hold`, or when the policy holds records for persistent
  // clients. Returns the quota's refusal (nothing appended) or nullopt.
  std::optional<std::string> append(Outcome& out, bool hold);
  // Opens `job_id` for `originator` (a send from it): the outcome's job changes.
  Outcome open_job(const std::string& job_id, const std::string& originator, std::string target,
                   double now);
  // An update of `update.job_id`: a terminal status closes it; every update
  // becomes its last known state. The outcome's job changes.
  Outcome correlate_job(const bus::JobUpdate& update, double now);
  // The first client bound to `session_id` (empty: none).
  std::string first_client_of(std::string_view session_id) const;
  // Every client in its bucket, in bus order, liveness filled by `presence`.
  bus::ClientSnapshot snapshot(const PresenceLookup& presence) const;
  // Up to `limit` deliverable records of the client after `after`, without
  // acknowledging anything. nullopt: no such client.
  std::optional<std::vector<InboxItem>> peek(std::string_view client_uuid, std::uint64_t after,
                                             std::size_t limit) const;
  // Whether the client could resume from `after` (SPEC §9): nullopt when it
  // can, else not_issued or not_retained.
  std::optional<ResumeResult> check_cursor(std::string_view client_uuid, std::uint64_t after) const;
  // Drops every record of the client (it keeps its registration); returns
  // its cursor change for the store.
  std::vector<CursorUpdate> forget_records(std::string_view client_uuid);
  // The client's delivered cursor (nullopt: no such client).
  std::optional<std::uint64_t> delivered_through(std::string_view client_uuid) const;

  // A send or job update whose records would pass the user's inbox quota
  // (Limits::max_inbox_bytes) first evicts delivered records, oldest first
  // across the user's inboxes (they wait only for a replay); when the
  // undelivered ones alone leave no room it is refused, and nothing of it is
  // delivered. Nothing undelivered is ever evicted to make room.

  // --- After the store (DeliveryPolicy::hold_until_stored) ---
  // The store committed what `outcome` changed: its held records become
  // deliverable (the caller wakes their readers).
  void release(const Outcome& outcome);
  // The store could not commit it: its held records are removed (they reach
  // nobody), a registration is undone (a client it created is removed, an
  // update reverted) and jobs it opened or closed are put back, unless they
  // changed again since.
  void withdraw(const Outcome& outcome);

  // blender_list_available_clients: {"status":"ok","user_id","persistent","ephemeral"}.
  // `presence` fills the liveness fields; without it a client is online while
  // bound to a session.
  boost::json::object list_clients(const PresenceLookup& presence = nullptr) const;
  // Every client with its liveness fields filled, persistent ones first.
  std::vector<bus::ClientInfo> clients(const PresenceLookup& presence = nullptr) const;
  // Resource blender://bus/clients: {"user_id","persistent","ephemeral"}.
  boost::json::object clients_resource(const PresenceLookup& presence = nullptr) const;
  // Resource blender://bus/stats: {"user_id","persistent_count","ephemeral_count",
  // "pending_jobs_for_user"}, then "dropped_records","pending_records".
  boost::json::object stats_resource() const;

  // --- Inboxes (SPEC §9) ---
  // Up to `limit` undelivered records of the session's clients, by seq, and
  // the session's own `client_displaced` notices among them.
  SessionRead read_session(std::string_view session_id, std::size_t limit);
  // A stream of `session_id` wrote (or skipped) what a read returned. Returns
  // the cursor changes of persistent clients.
  std::vector<CursorUpdate> mark_delivered(const std::vector<InboxProgress>& progress,
                                           std::string_view session_id = {});
  // A stream resumes after `last_event_id`: refused when that id was never
  // issued on this bus, or when records after it were evicted; else every
  // client of the session counts as having received <= it, and nothing after.
  ResumeResult resume_session(std::string_view session_id, std::uint64_t last_event_id,
                              std::vector<CursorUpdate>& changed);
  // blender_receive_messages: the client's records after `after` (or after its
  // delivered cursor); `after` acknowledges what it covers.
  PullRead receive(std::string_view client_uuid, std::optional<std::uint64_t> after,
                   std::size_t limit);
  // The highest seq issued on this bus (0: none).
  std::uint64_t last_record_seq() const;
  // True when the client exists and has a record after `after` (its delivered
  // cursor when nullopt).
  bool has_records_after(std::string_view client_uuid, std::optional<std::uint64_t> after) const;

  // --- Jobs ---
  std::optional<bus::JobState> job_state(std::string_view job_id) const;
  // The open jobs and then the finished ones, newest first, at most `limit` of each.
  std::vector<bus::JobState> latest_jobs(std::size_t limit) const;

  // --- Restoring durable state at start ---
  void restore_client(RestoredClient client);
  void restore_sequence(std::uint64_t last_seq);
  void restore_job(std::string job_id, std::string originator);

  bus::BusStats stats() const;
  std::size_t client_count() const;
  // Serialized bytes held in all of this user's inboxes (the quota's measure).
  std::size_t user_inbox_bytes() const;
  double last_activity() const;
  // The client with its pending and dropped counts (liveness not filled).
  std::optional<bus::ClientInfo> find(std::string_view client_uuid) const;
  std::optional<std::string> job_originator(std::string_view job_id) const;

  // The uuids bound to a session, in bus order.
  std::vector<std::string> clients_for_session(std::string_view session_id) const;

  // A session ended: its ephemeral clients leave the bus (their uuids are
  // returned); its persistent clients stay, unbound, until they re-register.
  std::vector<std::string> on_session_end(std::string_view session_id);

 private:
  // Each client's inbox lives in its slot of the client table.
  using Clients = bus::ClientTable<Inbox>;
  using Slot = Clients::Slot;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using StringMap = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

  // Locked helpers (the caller holds mutex_).
  // Appends the outcome's records to their targets' inboxes, each with the
  // next seq; targets that left since get nothing (see append).
  std::optional<std::string> append_locked(Outcome& out, bool hold);
  Outcome open_job_locked(const std::string& job_id, const std::string& originator,
                          std::string target, double now);
  Outcome correlate_job_locked(const bus::JobUpdate& update, double now);
  // Evicts delivered records across the user's inboxes, oldest first, so that
  // `incoming` more bytes fit (down to 7/8 of the quota, so that under steady
  // load this runs now and then, not on every send).
  void make_room_locked(std::size_t incoming, std::vector<CursorUpdate>& changed);
  std::vector<Target> resolve_locked(const bus::Routing& routing, std::string_view origin) const;
  // `user`: whose client it is (bus::displaced_notice).
  void notify_displaced_locked(const std::string& session_id, const std::string& client_uuid,
                               std::string_view user, double now);
  // Forgets the session's notices up to `through` (written, or covered by a
  // Last-Event-ID).
  void drop_notices_locked(std::string_view session_id, std::uint64_t through);
  void erase_locked(Slot& slot);

  void fill_liveness(bus::ClientInfo& out, const PresenceLookup& presence, double now) const;
  std::optional<CursorUpdate> cursor_update_locked(const Slot& slot) const;

  const std::string user_id_;
  const bus::Clock clock_;
  const bus::RandomSource random_;
  const bus::Limits limits_;
  const DeliveryPolicy policy_;

  mutable std::mutex mutex_;
  Clients clients_;
  // Per session, its unacknowledged `client_displaced` records (few: one per
  // takeover; in memory only, as sessions are). Read with the session's
  // inboxes; acknowledged under the progress key "" (no client uuid is empty).
  StringMap<std::vector<InboxRecord>> displaced_notices_;
  bus::JobTracker jobs_;
  double last_activity_ = 0;
  std::uint64_t last_record_seq_ = 0;
  std::uint64_t dropped_records_ = 0;
  std::uint64_t sends_ = 0;           // counted under the lock the send takes anyway
  std::uint64_t records_routed_ = 0;  // the same, per record appended
  std::size_t inbox_bytes_ = 0;       // sum of every slot's inbox.bytes()
};

}  // namespace blender_bus::delivery::embedded
