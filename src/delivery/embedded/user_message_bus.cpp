#include "delivery/embedded/user_message_bus.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <queue>
#include <variant>

#include "bus/displaced_notice.hpp"
#include "bus/forwarded_record.hpp"
#include "bus/send_plan.hpp"
#include "bus/uuid_v4.hpp"
#include "bus/validation.hpp"
#include "json/serializer.hpp"

namespace blender_bus::delivery::embedded {

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

boost::json::array uuids_json(const auto& targets) {
  boost::json::array out;
  out.reserve(targets.size());
  for (const auto& t : targets) out.emplace_back(t.uuid);
  return out;
}

// Runs `change` on an inbox and keeps the user-wide byte count in step.
template <class Change>
auto change_inbox(Inbox& inbox, std::size_t& total, Change&& change) {
  const std::size_t before = inbox.bytes();
  auto result = change(inbox);
  total = total - before + inbox.bytes();
  return result;
}

}  // namespace

UserMessageBus::UserMessageBus(std::string user_id, bus::Clock clock, bus::RandomSource random,
                               bus::Limits limits, DeliveryPolicy policy)
    : user_id_(std::move(user_id)),
      clock_(std::move(clock)),
      random_(std::move(random)),
      limits_(limits),
      policy_(policy),
      jobs_(policy.recent_jobs, policy.open_jobs) {}

Outcome UserMessageBus::register_client(bus::Registration r) {
  if (r.client_uuid.empty()) return refused("client_uuid must not be empty");
  if (auto e = bus::check_length("client_uuid", r.client_uuid, limits_.max_id_bytes)) {
    return refused(*e);
  }
  if (auto e = bus::check_length("client_type", r.client_type, limits_.max_id_bytes)) {
    return refused(*e);
  }
  if (auto e = bus::check_optional_length("group_id", r.group_id, limits_.max_id_bytes))
    return refused(*e);
  if (auto e = bus::check_capabilities(r.capabilities, limits_)) return refused(*e);
  if (auto e = bus::check_optional_length("label", r.label, limits_.max_label)) return refused(*e);

  const double now = clock_();
  Outcome out;
  bus::ClientInfo registered;
  std::optional<std::string> displaced;
  {
    std::lock_guard lock(mutex_);
    Slot* slot = clients_.find(r.client_uuid);
    if (slot) {
      // SPEC §4: update in place; uuid, bucket and connected_at never change.
      out.replaced_client = slot->info;
      clients_.update(*slot, [&](bus::ClientInfo& info) {
        info.client_type = std::move(r.client_type);
        info.capabilities = std::move(r.capabilities);
        info.group_id = std::move(r.group_id);
        info.label = std::move(r.label);
        info.last_seen = now;
        if (!r.session_id.empty()) {
          if (!info.session_id.empty() && info.session_id != r.session_id) {
            displaced = info.session_id;
            notify_displaced_locked(*displaced, info.uuid, r.user_id.empty() ? user_id_ : r.user_id,
                                    now);
          }
          info.session_id = std::move(r.session_id);
        }
      });
    } else {
      if (clients_.size() >= limits_.max_clients) {
        return refused("max-clients-per-bus: this bus has " + std::to_string(clients_.size()) +
                       " clients, the most it may have; unregister one first");
      }
      bus::ClientInfo info;
      info.uuid = std::move(r.client_uuid);
      info.client_type = std::move(r.client_type);
      info.is_persistent = r.is_persistent;
      info.capabilities = std::move(r.capabilities);
      info.group_id = std::move(r.group_id);
      info.label = std::move(r.label);
      info.connected_at = now;
      info.last_seen = now;
      info.session_id = std::move(r.session_id);
      slot = &clients_.insert(std::move(info));
    }
    last_activity_ = now;
    out.client_slot = slot->order.seq;
    registered = slot->info;
    registered.pending_records = slot->entry.pending();
    registered.dropped_records = slot->entry.dropped();
  }
  // The caller's own session is alive and just spoke.
  registered.online = !registered.session_id.empty();

  out.result["status"] = "ok";
  out.result["client"] = registered.to_json();
  out.client = std::move(registered);
  out.displaced_session = std::move(displaced);
  return out;
}

void UserMessageBus::notify_displaced_locked(const std::string& session_id,
                                             const std::string& client_uuid, std::string_view user,
                                             double now) {
  const std::string message_id = bus::make_uuid_v4(random_);
  auto& notices = displaced_notices_[session_id];
  if (notices.size() >= kMaxDisplacedNotices) notices.erase(notices.begin());
  notices.push_back(InboxRecord{++last_record_seq_, bus::Priority::warning, now,
                                std::make_shared<const std::string>(bus::displaced_notice(
                                    user_id_, user, client_uuid, message_id, now))});
}

Outcome UserMessageBus::unregister_client(std::string_view client_uuid) {
  bool found = false;
  bool persistent = false;
  {
    std::lock_guard lock(mutex_);
    if (Slot* slot = clients_.find(client_uuid)) {
      persistent = slot->info.is_persistent;
      erase_locked(*slot);
      found = true;
    }
  }
  Outcome out;
  if (persistent || !found) out.removed_client = std::string(client_uuid);
  out.result["status"] = found ? "ok" : "not_found";
  out.result["client_uuid"] = client_uuid;
  return out;
}

namespace {

Outcome refused_by(bus::Refusal refusal) {
  if (refusal.over_limit) return refused(std::move(refusal.error));
  Outcome out;
  out.result["status"] = "error";
  out.result["error"] = std::move(refusal.error);
  return out;
}

// One record per target, from the send's one pre-serialized text.
std::vector<Delivery> build_records(const std::vector<Target>& targets,
                                    const bus::ForwardedRecord& record, bus::Priority priority,
                                    double timestamp) {
  std::vector<Delivery> out;
  out.reserve(targets.size());
  for (const auto& t : targets) {
    Delivery d;
    d.target_uuid = t.uuid;
    d.level = priority;
    d.text = std::make_shared<const std::string>(record.for_target(t.uuid));
    d.timestamp = timestamp;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

Outcome UserMessageBus::send(const boost::json::object& payload, const bus::SendRequest& request) {
  auto planned = bus::plan_send(payload, request, user_id_, limits_, random_, clock_());
  if (auto* refusal = std::get_if<bus::Refusal>(&planned)) return refused_by(std::move(*refusal));
  const bus::SendPlan& plan = std::get<bus::SendPlan>(planned);
  const std::vector<Target> targets = resolve(plan.routing, plan.origin, plan.timestamp, true);
  Outcome out;
  if (!targets.empty()) {
    out.deliveries = build_records(targets, plan.record(user_id_), plan.priority, plan.timestamp);
  }
  if (!out.deliveries.empty() || plan.opens_job) {
    std::lock_guard lock(mutex_);
    const bool hold = plan.opens_job && policy_.hold_until_stored;
    if (auto e = append_locked(out, hold)) {
      Outcome refusal = refused(*e);
      refusal.cursors = std::move(out.cursors);
      return refusal;
    }
    if (plan.opens_job) {
      out.jobs =
          open_job_locked(plan.job_id, plan.origin, plan.routing.to_spec(), plan.timestamp).jobs;
    }
  }
  out.result["status"] = "ok";
  out.result["message_id"] = plan.message_id;
  out.result["job_id"] = plan.job_id;
  out.result["targets"] = uuids_json(targets);
  out.result["routing"] = plan.routing.to_json();
  out.routing = plan.routing.mode;
  return out;
}

Outcome UserMessageBus::job_update(const bus::JobUpdate& update) {
  const std::string updater =
      update.session_id.empty() ? std::string() : first_client_of(update.session_id);
  auto planned = bus::plan_job_update(update, updater, user_id_, limits_, random_, clock_());
  if (auto* refusal = std::get_if<bus::Refusal>(&planned)) return refused_by(std::move(*refusal));
  const bus::JobUpdatePlan& plan = std::get<bus::JobUpdatePlan>(planned);

  bus::Routing routing;
  if (auto originator = job_originator(update.job_id)) {
    routing = bus::Routing{bus::RoutingMode::direct, std::move(*originator)};
  }
  const std::vector<Target> targets = resolve(routing, plan.origin, plan.timestamp, false);
  Outcome out;
  if (!targets.empty()) {
    out.deliveries = build_records(targets, plan.record(user_id_, update.job_id, routing),
                                   bus::Priority::notice, plan.timestamp);
  }
  const bool terminal = bus::JobTracker::is_terminal(update.status);
  {
    // The job changes only once its records are in: a refused update leaves it as it was.
    std::lock_guard lock(mutex_);
    const bool hold =
        routing.mode == bus::RoutingMode::direct && terminal && policy_.hold_until_stored;
    if (auto e = append_locked(out, hold)) {
      Outcome refusal = refused(*e);
      refusal.cursors = std::move(out.cursors);
      return refusal;
    }
    out.jobs = correlate_job_locked(update, plan.timestamp).jobs;
  }
  out.result["status"] = "ok";
  out.result["delivered"] = routing.mode == bus::RoutingMode::direct ? "direct" : "broadcast";
  out.result["targets"] = uuids_json(targets);
  return out;
}

std::vector<Target> UserMessageBus::resolve(const bus::Routing& routing, std::string_view origin,
                                            double now, bool counts_send) {
  std::lock_guard lock(mutex_);
  last_activity_ = now;
  if (counts_send) ++sends_;
  return resolve_locked(routing, origin);
}

std::optional<std::string> UserMessageBus::append(Outcome& out, bool hold) {
  std::lock_guard lock(mutex_);
  return append_locked(out, hold);
}

Outcome UserMessageBus::open_job(const std::string& job_id, const std::string& originator,
                                 std::string target, double now) {
  std::lock_guard lock(mutex_);
  return open_job_locked(job_id, originator, std::move(target), now);
}

Outcome UserMessageBus::open_job_locked(const std::string& job_id, const std::string& originator,
                                        std::string target, double now) {
  Outcome out;
  std::string previous = jobs_.originator(job_id).value_or("");
  // Jobs forgotten to keep within the open-jobs bound are closed in the store too.
  for (auto& forgotten : jobs_.remember(job_id, originator, std::move(target), now)) {
    out.jobs.push_back({std::move(forgotten), std::nullopt, ""});
  }
  out.jobs.push_back({job_id, originator, std::move(previous)});
  return out;
}

Outcome UserMessageBus::correlate_job(const bus::JobUpdate& update, double now) {
  std::lock_guard lock(mutex_);
  last_activity_ = now;
  return correlate_job_locked(update, now);
}

Outcome UserMessageBus::correlate_job_locked(const bus::JobUpdate& update, double now) {
  Outcome out;
  const bool terminal = bus::JobTracker::is_terminal(update.status);
  if (auto originator = jobs_.correlate(update.job_id, update.status); originator && terminal) {
    out.jobs.push_back({update.job_id, std::nullopt, std::move(*originator)});
  }
  jobs_.note(update, now);
  return out;
}

std::string UserMessageBus::first_client_of(std::string_view session_id) const {
  std::lock_guard lock(mutex_);
  if (const auto* members = clients_.of_session(session_id)) {
    return members->begin()->second->info.uuid;
  }
  return {};
}

std::optional<std::vector<InboxItem>> UserMessageBus::peek(std::string_view client_uuid,
                                                           std::uint64_t after,
                                                           std::size_t limit) const {
  std::lock_guard lock(mutex_);
  const Slot* slot = clients_.find(client_uuid);
  if (!slot) return std::nullopt;
  const Inbox& inbox = slot->entry;
  const std::uint64_t held = inbox.first_held_after(after);
  std::vector<InboxItem> out;
  for (auto r = inbox.first_after(after);
       r != inbox.records().end() && (held == 0 || r->seq < held) && out.size() < limit; ++r) {
    out.push_back(InboxItem{r->seq, r->level, r->text});
  }
  return out;
}

std::optional<ResumeResult> UserMessageBus::check_cursor(std::string_view client_uuid,
                                                         std::uint64_t after) const {
  std::lock_guard lock(mutex_);
  if (after > last_record_seq_) return ResumeResult::not_issued;
  const Slot* slot = clients_.find(client_uuid);
  if (slot && slot->entry.evicted_through() > after) return ResumeResult::not_retained;
  return std::nullopt;
}

std::vector<CursorUpdate> UserMessageBus::forget_records(std::string_view client_uuid) {
  std::vector<CursorUpdate> changed;
  std::lock_guard lock(mutex_);
  Slot* slot = clients_.find(client_uuid);
  if (!slot) return changed;
  inbox_bytes_ -= slot->entry.bytes();
  const std::uint64_t dropped = slot->entry.dropped();
  slot->entry = Inbox{};
  slot->entry.set_delivered(last_record_seq_);
  slot->entry.restore_dropped(dropped);
  if (auto u = cursor_update_locked(*slot)) changed.push_back(std::move(*u));
  return changed;
}

std::optional<std::uint64_t> UserMessageBus::delivered_through(std::string_view client_uuid) const {
  std::lock_guard lock(mutex_);
  const Slot* slot = clients_.find(client_uuid);
  if (!slot) return std::nullopt;
  return slot->entry.delivered_through();
}

void UserMessageBus::release(const Outcome& outcome) {
  if (!outcome.held) return;
  std::lock_guard lock(mutex_);
  for (const auto& d : outcome.deliveries) {
    if (Slot* slot = clients_.find(d.target_uuid)) slot->entry.release(d.seq);
  }
}

void UserMessageBus::withdraw(const Outcome& outcome) {
  std::lock_guard lock(mutex_);
  if (outcome.held) {
    for (const auto& d : outcome.deliveries) {
      Slot* slot = clients_.find(d.target_uuid);
      if (!slot) continue;
      change_inbox(slot->entry, inbox_bytes_, [&](Inbox& inbox) { return inbox.withdraw(d.seq); });
    }
  }
  for (auto change = outcome.jobs.rbegin(); change != outcome.jobs.rend(); ++change) {
    const std::optional<std::string> current = jobs_.originator(change->job_id);
    if (change->originator) {
      if (current != change->originator) continue;  // taken over or closed since
      if (change->previous_originator.empty()) {
        jobs_.forget(change->job_id);
      } else {
        jobs_.remember(change->job_id, change->previous_originator);
      }
    } else if (!change->previous_originator.empty() && !current) {
      jobs_.reopen(change->job_id, change->previous_originator);
    }
  }
  if (outcome.client) {
    Slot* slot = clients_.find(outcome.client->uuid);
    // Left alone when it was removed and registered again, or updated again, since.
    if (!slot || slot->order.seq != outcome.client_slot ||
        slot->info.last_seen != outcome.client->last_seen ||
        slot->info.session_id != outcome.client->session_id) {
      return;
    }
    if (!outcome.replaced_client) {
      // Records other sends put in its inbox meanwhile go with it, as when a
      // client leaves right after a send: its registration never happened.
      erase_locked(*slot);
      return;
    }
    const bus::ClientInfo& before = *outcome.replaced_client;
    clients_.update(*slot, [&](bus::ClientInfo& info) {
      info.client_type = before.client_type;
      info.capabilities = before.capabilities;
      info.group_id = before.group_id;
      info.last_seen = before.last_seen;
      info.session_id = before.session_id;
    });
  }
}

bus::ClientSnapshot UserMessageBus::snapshot(const PresenceLookup& presence) const {
  bus::ClientSnapshot out;
  {
    std::lock_guard lock(mutex_);
    out.persistent.reserve(clients_.persistent_count());
    out.ephemeral.reserve(clients_.size() - clients_.persistent_count());
    for (const auto& [order, slot] : clients_.ordered()) {
      auto& bucket = order.ephemeral ? out.ephemeral : out.persistent;
      bucket.push_back(slot->info);
      const Inbox& inbox = slot->entry;
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

void UserMessageBus::fill_liveness(bus::ClientInfo& c, const PresenceLookup& presence,
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
  return bus::list_clients_view(user_id_, snapshot(presence));
}

std::vector<bus::JobState> UserMessageBus::latest_jobs(std::size_t limit) const {
  std::lock_guard lock(mutex_);
  return jobs_.latest(limit);
}

std::vector<bus::ClientInfo> UserMessageBus::clients(const PresenceLookup& presence) const {
  bus::ClientSnapshot s = snapshot(presence);
  std::vector<bus::ClientInfo> out = std::move(s.persistent);
  out.insert(out.end(), std::make_move_iterator(s.ephemeral.begin()),
             std::make_move_iterator(s.ephemeral.end()));
  return out;
}

boost::json::object UserMessageBus::clients_resource(const PresenceLookup& presence) const {
  return bus::clients_resource_view(user_id_, snapshot(presence));
}

boost::json::object UserMessageBus::stats_resource() const {
  return bus::stats_resource_view(user_id_, stats());
}

bus::BusStats UserMessageBus::stats() const {
  std::lock_guard lock(mutex_);
  bus::BusStats s{clients_.persistent_count(),
                  clients_.size() - clients_.persistent_count(),
                  jobs_.size(),
                  dropped_records_,
                  0,
                  sends_,
                  records_routed_};
  clients_.for_each([&s](const Slot& slot) { s.pending_records += slot.entry.pending(); });
  return s;
}

std::size_t UserMessageBus::client_count() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

std::size_t UserMessageBus::user_inbox_bytes() const {
  std::lock_guard lock(mutex_);
  return inbox_bytes_;
}

double UserMessageBus::last_activity() const {
  std::lock_guard lock(mutex_);
  return last_activity_;
}

std::optional<bus::ClientInfo> UserMessageBus::find(std::string_view client_uuid) const {
  std::lock_guard lock(mutex_);
  const Slot* slot = clients_.find(client_uuid);
  if (!slot) return std::nullopt;
  bus::ClientInfo info = slot->info;
  info.pending_records = slot->entry.pending();
  info.dropped_records = slot->entry.dropped();
  return info;
}

std::optional<std::string> UserMessageBus::job_originator(std::string_view job_id) const {
  std::lock_guard lock(mutex_);
  return jobs_.originator(job_id);
}

std::vector<std::string> UserMessageBus::clients_for_session(std::string_view session_id) const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  const auto* members = clients_.of_session(session_id);
  if (!members) return out;
  out.reserve(members->size());
  for (const auto& [order, slot] : *members) out.push_back(slot->info.uuid);
  return out;
}

std::vector<std::string> UserMessageBus::on_session_end(std::string_view session_id) {
  std::vector<std::string> removed;
  std::lock_guard lock(mutex_);
  if (auto notices = displaced_notices_.find(session_id); notices != displaced_notices_.end()) {
    displaced_notices_.erase(notices);
  }
  const auto* bound = clients_.of_session(session_id);
  if (!bound) return removed;
  // Copy the members out first: erasing and unbinding both edit the index.
  std::vector<Slot*> members;
  members.reserve(bound->size());
  for (const auto& [order, slot] : *bound) members.push_back(slot);
  for (Slot* slot : members) {
    if (slot->info.is_persistent) {
      clients_.update(*slot, [](bus::ClientInfo& info) { info.session_id.clear(); });
    } else {
      removed.push_back(slot->info.uuid);
      erase_locked(*slot);
    }
  }
  return removed;
}

std::vector<Target> UserMessageBus::resolve_locked(const bus::Routing& routing,
                                                   std::string_view origin) const {
  std::vector<Target> out;
  const std::vector<const Slot*> slots = clients_.resolve(routing, origin);
  out.reserve(slots.size());
  for (const Slot* slot : slots) {
    out.push_back({slot->info.uuid, slot->info.is_persistent, slot->info.session_id});
  }
  return out;
}

void UserMessageBus::erase_locked(Slot& slot) {
  inbox_bytes_ -= slot.entry.bytes();
  clients_.erase(slot);
}

std::optional<std::string> UserMessageBus::append_locked(Outcome& out, bool hold_all) {
  std::vector<Delivery>& deliveries = out.deliveries;
  // A target that left between resolving and now gets nothing: it is gone.
  std::vector<Slot*> slots;
  slots.reserve(deliveries.size());
  std::size_t kept = 0;
  std::size_t incoming = 0;
  bool persistent = false;
  for (auto& d : deliveries) {
    Slot* slot = clients_.find(d.target_uuid);
    if (!slot) continue;
    slots.push_back(slot);
    incoming += d.text->size();
    persistent = persistent || slot->info.is_persistent;
    if (&deliveries[kept] != &d) deliveries[kept] = std::move(d);  // a self-move would empty it
    ++kept;
  }
  deliveries.resize(kept);

  const std::size_t quota = limits_.max_inbox_bytes;
  if (incoming > 0 && inbox_bytes_ + incoming > quota) {
    make_room_locked(incoming, out.cursors);
    if (inbox_bytes_ + incoming > quota) {
      deliveries.clear();
      return "max-user-inbox-bytes (" + std::to_string(quota) +
             ") reached: this user's inboxes hold " + std::to_string(inbox_bytes_) +
             " bytes of undelivered records and this send needs " + std::to_string(incoming) +
             " more; nothing was delivered";
    }
  }

  const bool hold = hold_all || (policy_.hold_until_stored && persistent);
  out.held = hold && !deliveries.empty();
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    Delivery& d = deliveries[i];
    Slot& slot = *slots[i];
    d.seq = ++last_record_seq_;
    d.session_id = slot.info.session_id;
    d.persistent = slot.info.is_persistent;
    const std::uint64_t evicted_before = slot.entry.evicted_through();
    dropped_records_ += change_inbox(slot.entry, inbox_bytes_, [&](Inbox& inbox) {
      return inbox.append(InboxRecord{d.seq, d.level, d.timestamp, d.text, hold}, policy_.inbox,
                          d.timestamp);
    });
    // Only an eviction asks the store to forget older rows (a DELETE per
    // record would double the durable path's cost).
    if (slot.entry.evicted_through() != evicted_before) d.retained_from = slot.entry.first_seq();
  }
  records_routed_ += deliveries.size();
  return std::nullopt;
}

void UserMessageBus::make_room_locked(std::size_t incoming, std::vector<CursorUpdate>& changed) {
  const std::size_t target = limits_.max_inbox_bytes - limits_.max_inbox_bytes / 8;
  // A k-way merge over the inboxes' delivered fronts, by seq.
  struct Front {
    std::uint64_t seq;
    Slot* slot;
    bool operator>(const Front& other) const { return seq > other.seq; }
  };
  std::priority_queue<Front, std::vector<Front>, std::greater<>> fronts;
  clients_.for_each([&fronts](Slot& slot) {
    if (const std::uint64_t seq = slot.entry.delivered_front()) fronts.push({seq, &slot});
  });
  std::vector<Slot*> touched;
  while (!fronts.empty() && inbox_bytes_ + incoming > target) {
    Slot* slot = fronts.top().slot;
    fronts.pop();
    inbox_bytes_ -= slot->entry.evict_oldest();
    touched.push_back(slot);
    if (const std::uint64_t seq = slot->entry.delivered_front()) fronts.push({seq, slot});
  }
  std::sort(touched.begin(), touched.end(), std::less<>());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (const Slot* slot : touched) {
    if (auto u = cursor_update_locked(*slot)) changed.push_back(std::move(*u));
  }
}

std::optional<CursorUpdate> UserMessageBus::cursor_update_locked(const Slot& slot) const {
  if (!slot.info.is_persistent) return std::nullopt;
  const std::uint64_t first = slot.entry.first_seq();
  return CursorUpdate{slot.info.uuid, slot.entry.delivered_through(),
                      first ? first : last_record_seq_ + 1};
}

SessionRead UserMessageBus::read_session(std::string_view session_id, std::size_t limit) {
  SessionRead out;
  const double now = clock_();
  std::lock_guard lock(mutex_);
  const auto* bound = clients_.of_session(session_id);
  auto notices = displaced_notices_.find(session_id);
  if (!bound && notices == displaced_notices_.end()) return out;
  struct Cursor {
    const Slot* slot;  // null: the session's displaced notices
    std::vector<InboxRecord>::const_iterator notice_at, notice_end;
    Inbox::Records::const_iterator at, end;
    bool done() const { return slot ? at == end : notice_at == notice_end; }
    const InboxRecord& record() const { return slot ? *at : *notice_at; }
    void advance() { slot ? void(++at) : void(++notice_at); }
  };
  std::vector<Cursor> cursors;
  cursors.reserve((bound ? bound->size() : 0) + 1);
  // The oldest held record of the session's clients: nothing from it on goes
  // out yet, so that everything below the session's last event id has gone
  // out (a Last-Event-ID resume counts on it).
  std::uint64_t horizon = 0;
  if (bound) {
    for (const auto& [order, slot_ptr] : *bound) {
      Slot& slot = *slot_ptr;
      dropped_records_ += change_inbox(
          slot.entry, inbox_bytes_, [&](Inbox& inbox) { return inbox.expire(policy_.inbox, now); });
      const std::uint64_t delivered = slot.entry.delivered_through();
      if (const std::uint64_t held = slot.entry.first_held_after(delivered)) {
        horizon = horizon ? std::min(horizon, held) : held;
      }
      auto at = slot.entry.first_after(delivered);
      if (at != slot.entry.records().end())
        cursors.push_back({&slot, {}, {}, at, slot.entry.records().end()});
    }
  }
  if (horizon) {
    for (auto& c : cursors) c.end = c.slot->entry.first_after(horizon - 1);
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
    Slot* slot = clients_.find(p.client_uuid);
    if (!slot) continue;
    slot->entry.advance_delivered(p.through);
    if (auto u = cursor_update_locked(*slot)) changed.push_back(std::move(*u));
  }
  return changed;
}

ResumeResult UserMessageBus::resume_session(std::string_view session_id,
                                            std::uint64_t last_event_id,
                                            std::vector<CursorUpdate>& changed) {
  std::lock_guard lock(mutex_);
  if (last_event_id > last_record_seq_) return ResumeResult::not_issued;
  drop_notices_locked(session_id, last_event_id);
  const auto* bound = clients_.of_session(session_id);
  if (!bound) return ResumeResult::ok;
  std::vector<Slot*> slots;
  for (const auto& [order, slot] : *bound) {
    if (slot->entry.evicted_through() > last_event_id) return ResumeResult::not_retained;
    slots.push_back(slot);
  }
  for (Slot* slot : slots) {
    slot->entry.set_delivered(last_event_id);
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
  Slot* found = clients_.find(client_uuid);
  if (!found) return out;
  out.found = true;
  Slot& slot = *found;
  dropped_records_ += change_inbox(slot.entry, inbox_bytes_,
                                   [&](Inbox& inbox) { return inbox.expire(policy_.inbox, now); });
  if (after) {
    slot.entry.advance_delivered(*after);
    out.cursor = cursor_update_locked(slot);
  }
  const Inbox& inbox = slot.entry;
  const std::uint64_t from = after ? *after : inbox.delivered_through();
  const std::uint64_t held = inbox.first_held_after(from);
  out.next = from;
  for (auto r = inbox.first_after(from);
       r != inbox.records().end() && (held == 0 || r->seq < held) && out.items.size() < limit;
       ++r) {
    out.items.push_back(InboxItem{r->seq, r->level, r->text});
    out.next = r->seq;
  }
  last_activity_ = now;
  return out;
}

bool UserMessageBus::has_records_after(std::string_view client_uuid,
                                       std::optional<std::uint64_t> after) const {
  std::lock_guard lock(mutex_);
  const Slot* slot = clients_.find(client_uuid);
  if (!slot) return false;
  const Inbox& inbox = slot->entry;
  auto first = inbox.first_after(after ? *after : inbox.delivered_through());
  return first != inbox.records().end() && !first->held;
}

std::uint64_t UserMessageBus::last_record_seq() const {
  std::lock_guard lock(mutex_);
  return last_record_seq_;
}

std::optional<bus::JobState> UserMessageBus::job_state(std::string_view job_id) const {
  std::lock_guard lock(mutex_);
  return jobs_.state(job_id);
}

void UserMessageBus::restore_client(RestoredClient c) {
  std::lock_guard lock(mutex_);
  if (clients_.contains(c.info.uuid)) return;
  c.info.is_persistent = true;
  c.info.session_id.clear();
  Slot& slot = clients_.insert(std::move(c.info));
  slot.entry.set_delivered(c.delivered);
  for (auto& r : c.records) {
    last_record_seq_ = std::max(last_record_seq_, r.seq);
    dropped_records_ += slot.entry.append(std::move(r), policy_.inbox, clock_());
  }
  inbox_bytes_ += slot.entry.bytes();
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

}  // namespace blender_bus::delivery::embedded
