#include "bus/user_message_bus.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "bus/forwarded_record.hpp"
#include "bus/uuid_v4.hpp"
#include "bus/validation.hpp"

namespace blender_bus::bus {

namespace {

// Unacknowledged takeover notices a session may hold; older ones go first.
constexpr std::size_t kMaxDisplacedNotices = 64;

Outcome refused(std::string message) {
  Outcome out;
  out.result["status"] = "error";
  out.result["error"] = std::move(message);
  out.rejected = true;
  return out;
}

bool present(const std::optional<std::string>& field) {
  return field && !field->empty();
}

template <class Map, class Key, class Value>
void index_add(Map& index, const Key& key, const Value& entry) {
  auto it = index.find(key);
  if (it == index.end()) it = index.emplace(key, typename Map::mapped_type{}).first;
  it->second.insert(entry);
}

// Drops the entry and the whole bucket once empty, so indexes do not keep
// every group, type or session ever seen.
template <class Map, class Key, class OrderKey>
void index_remove(Map& index, const Key& key, const OrderKey& order) {
  auto it = index.find(key);
  if (it == index.end()) return;
  it->second.erase(order);
  if (it->second.empty()) index.erase(it);
}

boost::json::array uuids_json(const auto& targets) {
  boost::json::array out;
  out.reserve(targets.size());
  for (const auto& t : targets) out.emplace_back(t.uuid);
  return out;
}

boost::json::array clients_json(const std::vector<ClientInfo>& clients) {
  boost::json::array out;
  out.reserve(clients.size());
  for (const auto& c : clients) out.emplace_back(c.to_json());
  return out;
}

}  // namespace

UserMessageBus::UserMessageBus(std::string user_id, Clock clock, RandomSource random, Limits limits,
                               DeliveryPolicy policy)
    : user_id_(std::move(user_id)),
      clock_(std::move(clock)),
      random_(std::move(random)),
      limits_(limits),
      policy_(policy),
      jobs_(policy.recent_jobs, policy.open_jobs) {}

Outcome UserMessageBus::register_client(Registration r) {
  if (r.client_uuid.empty()) return refused("client_uuid must not be empty");
  if (auto e = check_length("client_uuid", r.client_uuid, limits_.max_client_uuid)) {
    return refused(*e);
  }
  if (auto e = check_length("client_type", r.client_type, limits_.max_client_type)) {
    return refused(*e);
  }
  if (auto e = check_optional_length("group_id", r.group_id, limits_.max_group_id))
    return refused(*e);
  if (auto e = check_capabilities(r.capabilities, limits_)) return refused(*e);

  const double now = clock_();
  ClientInfo registered;
  std::optional<std::string> displaced;
  {
    std::lock_guard lock(mutex_);
    auto it = clients_.find(r.client_uuid);
    if (it != clients_.end()) {
      // SPEC §4: update in place; uuid, bucket and connected_at never change.
      Slot& slot = it->second;
      unindex_locked(slot);
      slot.info.client_type = std::move(r.client_type);
      slot.info.capabilities = std::move(r.capabilities);
      slot.info.group_id = std::move(r.group_id);
      slot.info.last_seen = now;
      if (!r.session_id.empty()) {
        if (!slot.info.session_id.empty() && slot.info.session_id != r.session_id) {
          displaced = slot.info.session_id;
          notify_displaced_locked(*displaced, slot.info.uuid, now);
        }
        slot.info.session_id = std::move(r.session_id);
      }
      index_locked(slot);
    } else {
      Slot slot;
      slot.info.uuid = r.client_uuid;
      slot.info.client_type = std::move(r.client_type);
      slot.info.is_persistent = r.is_persistent;
      slot.info.capabilities = std::move(r.capabilities);
      slot.info.group_id = std::move(r.group_id);
      slot.info.connected_at = now;
      slot.info.last_seen = now;
      slot.info.session_id = std::move(r.session_id);
      slot.key = OrderKey{!r.is_persistent, next_seq_++};
      it = clients_.emplace(std::move(r.client_uuid), std::move(slot)).first;
      order_.emplace(it->second.key, &it->second);
      index_locked(it->second);
      if (it->second.info.is_persistent) ++persistent_count_;
    }
    last_activity_ = now;
    registered = it->second.info;
    registered.pending_records = it->second.inbox.pending();
    registered.dropped_records = it->second.inbox.dropped();
  }
  // The caller's own session is alive and just spoke.
  registered.online = !registered.session_id.empty();

  Outcome out;
  out.result["status"] = "ok";
  out.result["client"] = registered.to_json();
  out.client = std::move(registered);
  out.displaced_session = std::move(displaced);
  return out;
}

void UserMessageBus::notify_displaced_locked(const std::string& session_id,
                                             const std::string& client_uuid, double now) {
  boost::json::object payload;
  payload["kind"] = "client_displaced";
  payload["client_uuid"] = client_uuid;
  payload["reason"] = "registered from another session";
  const std::string payload_json = boost::json::serialize(payload);
  const std::string message_id = make_uuid_v4(random_);
  const std::string origin = origin_of(std::nullopt, user_id_);
  const Routing routing{RoutingMode::direct, client_uuid};
  const boost::json::object routing_json = routing.to_json();
  const ForwardedRecord record(RecordFields{user_id_, origin, routing_json, payload_json,
                                            message_id, message_id, Priority::warning, now});
  auto& notices = displaced_notices_[session_id];
  if (notices.size() >= kMaxDisplacedNotices) notices.erase(notices.begin());
  notices.push_back(
      InboxRecord{++last_record_seq_, Priority::warning, now,
                  std::make_shared<const std::string>(record.for_target(client_uuid))});
}

Outcome UserMessageBus::unregister_client(std::string_view client_uuid) {
  bool found = false;
  bool persistent = false;
  {
    std::lock_guard lock(mutex_);
    auto it = clients_.find(client_uuid);
    if (it != clients_.end()) {
      persistent = it->second.info.is_persistent;
      erase_locked(it);
      found = true;
    }
  }
  Outcome out;
  if (persistent) out.removed_client = std::string(client_uuid);
  out.result["status"] = found ? "ok" : "not_found";
  out.result["client_uuid"] = client_uuid;
  return out;
}

Outcome UserMessageBus::send(const boost::json::object& payload, const SendRequest& request) {
  // SPEC §5: the priority is checked before anything is routed, and answered
  // with the original's exact error (a normal result, not isError).
  const auto priority = parse_priority(request.priority);
  if (!priority) {
    Outcome out;
    out.result["status"] = "error";
    out.result["error"] = unknown_priority_error(request.priority);
    return out;
  }
  if (auto e = check_optional_length("target_uuid", request.target_uuid, limits_.max_client_uuid)) {
    return refused(*e);
  }
  if (auto e = check_optional_length("group_id", request.group_id, limits_.max_group_id)) {
    return refused(*e);
  }
  if (auto e = check_optional_length("client_type", request.client_type, limits_.max_client_type)) {
    return refused(*e);
  }
  if (auto e = check_optional_length("from_uuid", request.from_uuid, limits_.max_client_uuid)) {
    return refused(*e);
  }
  // The one serialization of the payload for the whole send (DESIGN.md).
  const std::string payload_json = boost::json::serialize(payload);
  if (payload_json.size() > limits_.max_payload_bytes) {
    return refused("payload exceeds " + std::to_string(limits_.max_payload_bytes) +
                   " bytes serialized");
  }

  const std::string message_id = make_uuid_v4(random_);
  // A client-chosen job id must be a non-empty string to be usable by
  // blender_job_update (whose job_id is a string); anything else falls back.
  std::string job_id = message_id;
  if (const auto* p = payload.if_contains("job_id");
      p && p->is_string() && !p->get_string().empty()) {
    job_id = std::string(p->get_string());
  }
  const Routing routing =
      resolve_routing(request.target_uuid, request.group_id, request.client_type);
  const std::string origin = origin_of(request.from_uuid, user_id_);
  const double now = clock_();

  std::vector<Target> targets;
  std::vector<std::string> forgotten_jobs;
  {
    std::lock_guard lock(mutex_);
    targets = resolve_locked(routing, origin);
    last_activity_ = now;
    if (present(request.from_uuid)) forgotten_jobs = jobs_.remember(job_id, origin);
  }

  Outcome out;
  out.result["status"] = "ok";
  out.result["message_id"] = message_id;
  out.result["job_id"] = job_id;
  out.result["targets"] = uuids_json(targets);
  out.result["routing"] = routing.to_json();
  // Jobs forgotten to keep within the open-jobs bound are closed in the store too.
  for (auto& forgotten : forgotten_jobs) out.jobs.push_back({std::move(forgotten), std::nullopt});
  if (present(request.from_uuid)) out.jobs.push_back({job_id, origin});
  out.deliveries =
      deliver(targets, routing, origin, payload_json, job_id, message_id, *priority, now);
  return out;
}

Outcome UserMessageBus::job_update(const JobUpdate& update) {
  std::string updater;  // the updating session's first client, if it has one here
  if (!update.session_id.empty()) {
    std::lock_guard lock(mutex_);
    if (auto it = by_session_.find(update.session_id); it != by_session_.end()) {
      updater = it->second.begin()->second->info.uuid;
    }
  }
  boost::json::object payload;
  payload["kind"] = "job_update";
  payload["job_id"] = update.job_id;
  payload["status"] = update.status;
  payload["result"] = update.result;
  payload["error"] = update.error;
  if (!updater.empty()) payload["client_uuid"] = updater;
  const std::string payload_json = boost::json::serialize(payload);
  if (payload_json.size() > limits_.max_payload_bytes) {
    return refused("job update exceeds " + std::to_string(limits_.max_payload_bytes) +
                   " bytes serialized");
  }

  const std::string message_id = make_uuid_v4(random_);
  const std::string origin = origin_of(std::nullopt, user_id_);
  const double now = clock_();

  Routing routing;
  std::vector<Target> targets;
  bool closed = false;
  {
    std::lock_guard lock(mutex_);
    if (auto originator = jobs_.correlate(update.job_id, update.status)) {
      routing = Routing{RoutingMode::direct, std::move(*originator)};
      closed = JobTracker::is_terminal(update.status);
    }
    jobs_.note(update.job_id, update.status, update.result, update.error);
    targets = resolve_locked(routing, origin);
    last_activity_ = now;
  }

  Outcome out;
  out.result["status"] = "ok";
  out.result["delivered"] = routing.mode == RoutingMode::direct ? "direct" : "broadcast";
  out.result["targets"] = uuids_json(targets);
  if (closed) out.jobs.push_back({update.job_id, std::nullopt});
  out.deliveries = deliver(targets, routing, origin, payload_json, update.job_id, message_id,
                           Priority::notice, now);
  return out;
}

UserMessageBus::Snapshot UserMessageBus::snapshot(const PresenceLookup& presence) const {
  Snapshot out;
  {
    std::lock_guard lock(mutex_);
    out.persistent.reserve(persistent_count_);
    out.ephemeral.reserve(clients_.size() - persistent_count_);
    for (const auto& [key, slot] : order_) {
      auto& bucket = key.ephemeral ? out.ephemeral : out.persistent;
      bucket.push_back(slot->info);
      const Inbox& inbox = slot->inbox;
      bucket.back().pending_records = inbox.pending();
      bucket.back().dropped_records = inbox.dropped();
    }
  }
  // Sessions are asked outside the bus lock: the presence lookup takes the
  // session registry's lock.
  const double now = clock_();
  for (auto& c : out.persistent) fill_liveness(c, presence, now);
  for (auto& c : out.ephemeral) fill_liveness(c, presence, now);
  return out;
}

void UserMessageBus::fill_liveness(ClientInfo& c, const PresenceLookup& presence,
                                   double now) const {
  c.online = !c.session_id.empty();
  if (presence && c.online) {
    if (auto p = presence(c.session_id)) {
      c.online = p->online;
      c.last_seen = std::max(c.last_seen, p->last_activity);
    } else {
      c.online = false;
    }
  }
  c.last_seen_seconds_ago = std::max(0.0, now - c.last_seen);
  c.stale = c.is_persistent && !c.online && c.last_seen_seconds_ago > policy_.stale_after_seconds;
}

boost::json::object UserMessageBus::list_clients(const PresenceLookup& presence) const {
  Snapshot s = snapshot(presence);
  boost::json::object out;
  out["status"] = "ok";
  out["user_id"] = user_id_;
  out["persistent"] = clients_json(s.persistent);
  out["ephemeral"] = clients_json(s.ephemeral);
  return out;
}

boost::json::object UserMessageBus::clients_resource(const PresenceLookup& presence) const {
  Snapshot s = snapshot(presence);
  boost::json::object out;
  out["user_id"] = user_id_;
  out["persistent"] = clients_json(s.persistent);
  out["ephemeral"] = clients_json(s.ephemeral);
  return out;
}

boost::json::object UserMessageBus::stats_resource() const {
  const BusStats s = stats();
  boost::json::object out;
  out["user_id"] = user_id_;
  out["persistent_count"] = s.persistent_count;
  out["ephemeral_count"] = s.ephemeral_count;
  out["pending_jobs_for_user"] = s.pending_jobs;
  out["dropped_records"] = s.dropped_records;
  out["pending_records"] = s.pending_records;
  return out;
}

BusStats UserMessageBus::stats() const {
  std::lock_guard lock(mutex_);
  BusStats s{persistent_count_, clients_.size() - persistent_count_, jobs_.size(), dropped_records_,
             0};
  for (const auto& [uuid, slot] : clients_) s.pending_records += slot.inbox.pending();
  return s;
}

std::size_t UserMessageBus::client_count() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

double UserMessageBus::last_activity() const {
  std::lock_guard lock(mutex_);
  return last_activity_;
}

std::optional<ClientInfo> UserMessageBus::find(std::string_view client_uuid) const {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client_uuid);
  if (it == clients_.end()) return std::nullopt;
  return it->second.info;
}

std::optional<std::string> UserMessageBus::job_originator(std::string_view job_id) const {
  std::lock_guard lock(mutex_);
  return jobs_.originator(job_id);
}

std::vector<std::string> UserMessageBus::clients_for_session(std::string_view session_id) const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  auto it = by_session_.find(session_id);
  if (it == by_session_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [key, slot] : it->second) out.push_back(slot->info.uuid);
  return out;
}

std::vector<std::string> UserMessageBus::on_session_end(std::string_view session_id) {
  std::vector<std::string> removed;
  std::lock_guard lock(mutex_);
  if (auto notices = displaced_notices_.find(session_id); notices != displaced_notices_.end()) {
    displaced_notices_.erase(notices);
  }
  auto bound = by_session_.find(session_id);
  if (bound == by_session_.end()) return removed;
  // Copy the members out first: erasing and unbinding both edit by_session_.
  std::vector<std::string> uuids;
  uuids.reserve(bound->second.size());
  for (const auto& [key, slot] : bound->second) uuids.push_back(slot->info.uuid);
  for (const auto& uuid : uuids) {
    auto it = clients_.find(uuid);
    if (it->second.info.is_persistent) {
      unindex_locked(it->second);
      it->second.info.session_id.clear();
      index_locked(it->second);
    } else {
      erase_locked(it);
      removed.push_back(uuid);
    }
  }
  return removed;
}

std::vector<UserMessageBus::Target> UserMessageBus::resolve_locked(const Routing& routing,
                                                                   std::string_view origin) const {
  std::vector<Target> out;
  auto add_all = [&out](const OrderedClients& clients) {
    out.reserve(clients.size());
    for (const auto& [key, slot] : clients) out.push_back({slot->info.uuid, slot->info.session_id});
  };
  switch (routing.mode) {
    case RoutingMode::direct:
      if (auto it = clients_.find(routing.key); it != clients_.end()) {
        out.push_back({it->second.info.uuid, it->second.info.session_id});
      }
      break;
    case RoutingMode::group:
      if (auto it = by_group_.find(routing.key); it != by_group_.end()) add_all(it->second);
      break;
    case RoutingMode::type_filter:
      if (auto it = by_type_.find(routing.key); it != by_type_.end()) add_all(it->second);
      break;
    case RoutingMode::broadcast:
      out.reserve(order_.size());
      for (const auto& [key, slot] : order_) {
        if (slot->info.uuid != origin) out.push_back({slot->info.uuid, slot->info.session_id});
      }
      break;
  }
  return out;
}

void UserMessageBus::index_locked(Slot& slot) {
  const auto entry = std::pair{slot.key, &slot};
  if (slot.info.group_id) index_add(by_group_, *slot.info.group_id, entry);
  index_add(by_type_, slot.info.client_type, entry);
  if (!slot.info.session_id.empty()) index_add(by_session_, slot.info.session_id, entry);
}

void UserMessageBus::unindex_locked(const Slot& slot) {
  if (slot.info.group_id) index_remove(by_group_, *slot.info.group_id, slot.key);
  index_remove(by_type_, slot.info.client_type, slot.key);
  if (!slot.info.session_id.empty()) index_remove(by_session_, slot.info.session_id, slot.key);
}

void UserMessageBus::erase_locked(StringMap<Slot>::iterator it) {
  unindex_locked(it->second);
  order_.erase(it->second.key);
  if (it->second.info.is_persistent) --persistent_count_;
  clients_.erase(it);
}

std::vector<Delivery> UserMessageBus::deliver(const std::vector<Target>& targets,
                                              const Routing& routing, std::string_view origin,
                                              std::string_view payload_json,
                                              std::string_view job_id, std::string_view message_id,
                                              Priority priority, double timestamp) {
  std::vector<Delivery> out;
  if (targets.empty()) return out;
  const boost::json::object routing_json = routing.to_json();
  const ForwardedRecord record(RecordFields{user_id_, origin, routing_json, payload_json, job_id,
                                            message_id, priority, timestamp});
  out.reserve(targets.size());
  for (const auto& t : targets) {
    Delivery d;
    d.target_uuid = t.uuid;
    d.level = priority;
    d.text = std::make_shared<const std::string>(record.for_target(t.uuid));
    d.timestamp = timestamp;
    out.push_back(std::move(d));
  }

  // A target that left between resolving and now gets nothing: it is gone.
  std::lock_guard lock(mutex_);
  std::size_t kept = 0;
  for (auto& d : out) {
    auto it = clients_.find(d.target_uuid);
    if (it == clients_.end()) continue;
    Slot& slot = it->second;
    d.seq = ++last_record_seq_;
    d.session_id = slot.info.session_id;
    d.persistent = slot.info.is_persistent;
    const std::uint64_t evicted_before = slot.inbox.evicted_through();
    dropped_records_ +=
        slot.inbox.append(InboxRecord{d.seq, d.level, timestamp, d.text}, policy_.inbox, timestamp);
    // Only an eviction asks the store to forget older rows (a DELETE per
    // record would double the durable path's cost).
    if (slot.inbox.evicted_through() != evicted_before) d.retained_from = slot.inbox.first_seq();
    if (&out[kept] != &d) out[kept] = std::move(d);  // a self-move would empty it
    ++kept;
  }
  out.resize(kept);
  return out;
}

std::optional<CursorUpdate> UserMessageBus::cursor_update_locked(const Slot& slot) const {
  if (!slot.info.is_persistent) return std::nullopt;
  const std::uint64_t first = slot.inbox.first_seq();
  return CursorUpdate{slot.info.uuid, slot.inbox.delivered_through(),
                      first ? first : last_record_seq_ + 1};
}

SessionRead UserMessageBus::read_session(std::string_view session_id, std::size_t limit) {
  SessionRead out;
  const double now = clock_();
  std::lock_guard lock(mutex_);
  auto bound = by_session_.find(session_id);
  auto notices = displaced_notices_.find(session_id);
  if (bound == by_session_.end() && notices == displaced_notices_.end()) return out;
  struct Cursor {
    const Slot* slot;  // null: the session's displaced notices
    std::vector<InboxRecord>::const_iterator notice_at, notice_end;
    Inbox::Records::const_iterator at, end;
    bool done() const { return slot ? at == end : notice_at == notice_end; }
    const InboxRecord& record() const { return slot ? *at : *notice_at; }
    void advance() { slot ? void(++at) : void(++notice_at); }
  };
  std::vector<Cursor> cursors;
  if (bound != by_session_.end()) {
    cursors.reserve(bound->second.size() + 1);
    for (const auto& [key, slot_ptr] : bound->second) {
      Slot& slot = *slot_ptr;
      dropped_records_ += slot.inbox.expire(policy_.inbox, now);
      auto at = slot.inbox.first_after(slot.inbox.delivered_through());
      if (at != slot.inbox.records().end())
        cursors.push_back({&slot, {}, {}, at, slot.inbox.records().end()});
    }
  }
  if (notices != displaced_notices_.end()) {
    cursors.push_back({nullptr, notices->second.begin(), notices->second.end(), {}, {}});
  }
  // A k-way merge by seq; k is the number of clients of one session (small).
  std::vector<std::uint64_t> through(cursors.size(), 0);
  while (out.items.size() < limit) {
    std::size_t best = cursors.size();
    for (std::size_t i = 0; i < cursors.size(); ++i) {
      if (cursors[i].done()) continue;
      if (best == cursors.size() || cursors[i].record().seq < cursors[best].record().seq) best = i;
    }
    if (best == cursors.size()) break;
    const InboxRecord& r = cursors[best].record();
    cursors[best].advance();
    out.items.push_back(InboxItem{r.seq, r.level, r.text});
    through[best] = r.seq;
  }
  for (std::size_t i = 0; i < cursors.size(); ++i) {
    if (!through[i]) continue;
    out.progress.push_back({cursors[i].slot ? cursors[i].slot->info.uuid : "", through[i]});
  }
  return out;
}

void UserMessageBus::drop_notices_locked(std::string_view session_id, std::uint64_t through) {
  auto notices = displaced_notices_.find(session_id);
  if (notices == displaced_notices_.end()) return;
  std::erase_if(notices->second, [through](const InboxRecord& r) { return r.seq <= through; });
  if (notices->second.empty()) displaced_notices_.erase(notices);
}

std::vector<CursorUpdate> UserMessageBus::mark_delivered(const std::vector<InboxProgress>& progress,
                                                         std::string_view session_id) {
  std::vector<CursorUpdate> changed;
  std::lock_guard lock(mutex_);
  for (const auto& p : progress) {
    if (p.client_uuid.empty()) {
      drop_notices_locked(session_id, p.through);
      continue;
    }
    auto it = clients_.find(p.client_uuid);
    if (it == clients_.end()) continue;
    it->second.inbox.advance_delivered(p.through);
    if (auto u = cursor_update_locked(it->second)) changed.push_back(std::move(*u));
  }
  return changed;
}

ResumeResult UserMessageBus::resume_session(std::string_view session_id,
                                            std::uint64_t last_event_id,
                                            std::vector<CursorUpdate>& changed) {
  std::lock_guard lock(mutex_);
  if (last_event_id > last_record_seq_) return ResumeResult::not_issued;
  drop_notices_locked(session_id, last_event_id);
  auto bound = by_session_.find(session_id);
  if (bound == by_session_.end()) return ResumeResult::ok;
  std::vector<Slot*> slots;
  for (const auto& [key, slot_ptr] : bound->second) {
    Slot& slot = *slot_ptr;
    if (slot.inbox.evicted_through() > last_event_id) return ResumeResult::not_retained;
    slots.push_back(&slot);
  }
  for (Slot* slot : slots) {
    slot->inbox.set_delivered(last_event_id);
    if (auto u = cursor_update_locked(*slot)) {
      u->exact = true;
      changed.push_back(std::move(*u));
    }
  }
  return ResumeResult::ok;
}

PullRead UserMessageBus::receive(std::string_view client_uuid, std::optional<std::uint64_t> after,
                                 std::size_t limit) {
  PullRead out;
  const double now = clock_();
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client_uuid);
  if (it == clients_.end()) return out;
  out.found = true;
  Slot& slot = it->second;
  dropped_records_ += slot.inbox.expire(policy_.inbox, now);
  if (after) {
    slot.inbox.advance_delivered(*after);
    out.cursor = cursor_update_locked(slot);
  }
  const std::uint64_t from = after ? *after : slot.inbox.delivered_through();
  out.next = from;
  for (auto r = slot.inbox.first_after(from);
       r != slot.inbox.records().end() && out.items.size() < limit; ++r) {
    out.items.push_back(InboxItem{r->seq, r->level, r->text});
    out.next = r->seq;
  }
  last_activity_ = now;
  return out;
}

bool UserMessageBus::has_records_after(std::string_view client_uuid,
                                       std::optional<std::uint64_t> after) const {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client_uuid);
  if (it == clients_.end()) return false;
  const Inbox& inbox = it->second.inbox;
  return inbox.first_after(after ? *after : inbox.delivered_through()) != inbox.records().end();
}

std::uint64_t UserMessageBus::last_record_seq() const {
  std::lock_guard lock(mutex_);
  return last_record_seq_;
}

std::optional<JobState> UserMessageBus::job_state(std::string_view job_id) const {
  std::lock_guard lock(mutex_);
  return jobs_.state(job_id);
}

void UserMessageBus::restore_client(RestoredClient c) {
  std::lock_guard lock(mutex_);
  if (clients_.contains(c.info.uuid)) return;
  Slot slot;
  slot.info = std::move(c.info);
  slot.info.is_persistent = true;
  slot.info.session_id.clear();
  slot.key = OrderKey{false, next_seq_++};
  slot.inbox.set_delivered(c.delivered);
  for (auto& r : c.records) {
    last_record_seq_ = std::max(last_record_seq_, r.seq);
    dropped_records_ += slot.inbox.append(std::move(r), policy_.inbox, clock_());
  }
  std::string uuid = slot.info.uuid;
  auto it = clients_.emplace(std::move(uuid), std::move(slot)).first;
  order_.emplace(it->second.key, &it->second);
  index_locked(it->second);
  ++persistent_count_;
}

void UserMessageBus::restore_sequence(std::uint64_t last_seq) {
  std::lock_guard lock(mutex_);
  last_record_seq_ = std::max(last_record_seq_, last_seq);
}

void UserMessageBus::restore_job(std::string job_id, std::string originator) {
  std::lock_guard lock(mutex_);
  // The store held at most the bound's worth of open jobs; nothing to forget.
  jobs_.remember(std::move(job_id), std::move(originator));
}

}  // namespace blender_bus::bus
