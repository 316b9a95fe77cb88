#include "delivery/jetstream/jetstream_directory.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <future>
#include <mutex>
#include <set>

#include "bus/job_tracker.hpp"
#include "delivery/jetstream/cluster_assets.hpp"
#include "delivery/jetstream/cluster_keys.hpp"
#include "nats/kv_spec.hpp"
#include "nats/subject_token.hpp"

namespace blender_bus::delivery::jetstream {

namespace {

using Operation = nats::KvEntry::Operation;

// A change settled by the acks of its KV writes.
class KvSettlement : public Settlement {
 public:
  using Stored = std::function<void(const nats::PublishResult&)>;
  KvSettlement(std::shared_ptr<nats::PublishBatch> batch, Stored on_stored, Stored undo)
      : batch_(std::move(batch)), on_stored_(std::move(on_stored)), undo_(std::move(undo)) {}

  boost::asio::awaitable<bool> settled() override {
    const auto results = co_await batch_->wait();
    const auto& result = results.front();
    if (!result.ok()) {
      spdlog::warn("cluster: a job change could not be stored: {}", result.error->what());
      co_return false;
    }
    on_stored_(result);
    co_return true;
  }

  // The write may be stored already; then it is undone by a conditional
  // write on its revision (unless someone wrote the key since).
  void withdraw() override {
    batch_->on_settled([undo = undo_](const std::vector<nats::PublishResult>& results) {
      if (results.front().ok()) undo(results.front());
    });
  }

 private:
  std::shared_ptr<nats::PublishBatch> batch_;
  Stored on_stored_;
  Stored undo_;
};

bool is_open(const bus::JobState& job) {
  return !bus::JobTracker::is_terminal(job.status);
}

// A KV write nobody waits for (see JetStreamDirectory::write_later); a
// function of the publisher alone, so that a task posted with it may outlive
// the directory.
void write_kv_later(nats::Publisher& publisher, const std::string& bucket, const std::string& key,
                    std::string_view value, std::optional<std::uint64_t> expected,
                    std::string_view operation,
                    std::function<void(const nats::PublishResult&)> on_result = {}) {
  const std::string subject = nats::kv_subject(bucket, key);
  std::vector<nats::Header> headers;
  if (!operation.empty()) headers.push_back(nats::Header{"KV-Operation", operation});
  if (operation == "PURGE") headers.push_back(nats::Header{"Nats-Rollup", "sub"});
  auto batch = publisher.start(nats::PublishRequest{subject, value, {}, expected, headers});
  batch->on_settled(
      [key, on_result = std::move(on_result)](const std::vector<nats::PublishResult>& results) {
        const auto& result = results.front();
        if (!result.ok() && !result.wrong_last_sequence()) {
          spdlog::warn("cluster: writing {} failed: {}", key, result.error->what());
        }
        if (on_result) on_result(result);
      });
}

}  // namespace

JetStreamDirectory::JetStreamDirectory(nats::Connection& connection, nats::Publisher& publisher,
                                       nats::BlockingPool& pool, bus::Clock clock, Options options,
                                       NodeLive node_live, CountsOf counts_of)
    : connection_(connection),
      publisher_(publisher),
      pool_(pool),
      clock_(std::move(clock)),
      options_(std::move(options)),
      node_live_(std::move(node_live)),
      counts_of_(std::move(counts_of)),
      clients_bucket_(connection, publisher, pool, kClientsBucket) {
  clients_mirror_ = std::make_unique<nats::KvMirror>(
      connection, kClientsBucket,
      nats::KvMirror::Callbacks{[this](const nats::KvEntry& e) { on_client_change(e); },
                                [this] { on_clients_loaded(); }});
  presence_mirror_ = std::make_unique<nats::KvMirror>(
      connection, kPresenceBucket,
      nats::KvMirror::Callbacks{[this](const nats::KvEntry& e) { on_presence_change(e); }, {}});
  jobs_mirror_ = std::make_unique<nats::KvMirror>(
      connection, kJobsBucket,
      nats::KvMirror::Callbacks{[this](const nats::KvEntry& e) { on_job_change(e); }, {}});
  for (auto* mirror : {clients_mirror_.get(), presence_mirror_.get(), jobs_mirror_.get()}) {
    if (!mirror->wait_loaded_for(options_.load_wait)) {
      throw nats::NatsError(NATS_TIMEOUT, 0,
                            "cluster: loading bucket " + mirror->bucket() + " took over " +
                                std::to_string(options_.load_wait.count()) + " ms");
    }
  }
  // What this node held before it restarted is held no more.
  std::vector<std::pair<std::string, std::uint64_t>> stale;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [key, presence] : presence_) {
      if (presence.value.node == options_.node) stale.emplace_back(key, presence.revision);
    }
  }
  for (const auto& [key, revision] : stale) {
    write_later(kPresenceBucket, key, "", revision, "DEL");
  }
}

JetStreamDirectory::~JetStreamDirectory() {
  // The mirrors' callbacks end before the tables go.
  jobs_mirror_.reset();
  presence_mirror_.reset();
  clients_mirror_.reset();
}

// --- Mirrors ---

void JetStreamDirectory::on_client_change(const nats::KvEntry& entry) {
  {
    std::unique_lock lock(mutex_);
    if (!clients_loaded_) {
      loading_.push_back(entry);
      return;
    }
  }
  auto parsed = parse_item_key(entry.key);
  if (!parsed) return;
  if (entry.operation != Operation::put) {
    apply_client_gone(parsed->first, parsed->second, entry.revision);
    return;
  }
  auto info = parse_client_value(entry.value);
  if (!info) {
    spdlog::warn("cluster: client {} in {} is unreadable; skipped", entry.key, kClientsBucket);
    return;
  }
  apply_client(parsed->first, std::move(*info), entry.revision);
}

void JetStreamDirectory::on_clients_loaded() {
  std::vector<nats::KvEntry> loaded;
  {
    std::unique_lock lock(mutex_);
    loaded.swap(loading_);
    clients_loaded_ = true;
  }
  // Each key's latest revision came in revision order; the bus's order is
  // first registration.
  struct Loaded {
    BusId bus;
    bus::ClientInfo info;
    std::uint64_t revision;
  };
  std::vector<Loaded> clients;
  for (const auto& entry : loaded) {
    auto parsed = parse_item_key(entry.key);
    if (!parsed || entry.operation != Operation::put) continue;
    if (auto info = parse_client_value(entry.value)) {
      clients.push_back(Loaded{parsed->first, std::move(*info), entry.revision});
    }
  }
  std::stable_sort(clients.begin(), clients.end(), [](const Loaded& a, const Loaded& b) {
    return a.info.connected_at < b.info.connected_at;
  });
  for (auto& client : clients) apply_client(client.bus, std::move(client.info), client.revision);
}

void JetStreamDirectory::apply_client(const BusId& bus, bus::ClientInfo info,
                                      std::uint64_t revision) {
  std::unique_lock lock(mutex_);
  if (!client_tombstones_.empty()) {
    auto gone = client_tombstones_.find(item_key(bus, info.uuid));
    if (gone != client_tombstones_.end()) {
      if (revision <= gone->second) return;
      client_tombstones_.erase(gone);
    }
  }
  auto& table = clients_[bus];
  if (auto* slot = table.find(info.uuid)) {
    if (revision <= slot->entry.value) return;
    table.update(*slot, [&](bus::ClientInfo& current) {
      // uuid and bucket never change (SPEC §4).
      info.is_persistent = current.is_persistent;
      current = std::move(info);
    });
    slot->entry.value = revision;
    return;
  }
  table.insert(std::move(info), Revision{revision});
}

void JetStreamDirectory::apply_client_gone(const BusId& bus, std::string_view uuid,
                                           std::uint64_t revision) {
  std::unique_lock lock(mutex_);
  const std::string key = item_key(bus, uuid);
  if (auto gone = client_tombstones_.find(key); gone != client_tombstones_.end()) {
    if (revision >= gone->second) client_tombstones_.erase(gone);  // the mirror caught up
  }
  auto it = clients_.find(bus);
  if (it == clients_.end()) return;
  auto* slot = it->second.find(uuid);
  if (!slot || revision <= slot->entry.value) return;
  it->second.erase(*slot);
  if (it->second.size() == 0) clients_.erase(it);
}

void JetStreamDirectory::forget_client_locally(const BusId& bus, std::string_view uuid,
                                               std::uint64_t revision) {
  std::unique_lock lock(mutex_);
  auto& tombstone = client_tombstones_[item_key(bus, uuid)];
  tombstone = std::max(tombstone, revision);
  auto it = clients_.find(bus);
  if (it == clients_.end()) return;
  if (auto* slot = it->second.find(uuid)) it->second.erase(*slot);
  if (it->second.size() == 0) clients_.erase(it);
}

void JetStreamDirectory::on_presence_change(const nats::KvEntry& entry) {
  std::unique_lock lock(mutex_);
  auto it = presence_.find(entry.key);
  if (it != presence_.end() && it->second.revision >= entry.revision) return;
  if (entry.operation != Operation::put) {
    if (it != presence_.end()) presence_.erase(it);
    return;
  }
  auto value = parse_presence_value(entry.value);
  if (!value) return;
  presence_[entry.key] = Presence{std::move(*value), entry.revision};
}

void JetStreamDirectory::on_job_change(const nats::KvEntry& entry) {
  auto parsed = parse_item_key(entry.key);
  if (!parsed) return;
  if (entry.operation != Operation::put) {
    std::unique_lock lock(mutex_);
    if (auto bus = jobs_.find(parsed->first); bus != jobs_.end()) {
      auto job = bus->second.find(parsed->second);
      if (job != bus->second.end() && job->second.revision < entry.revision) bus->second.erase(job);
    }
    return;
  }
  if (auto job = parse_job_value(entry.value)) {
    apply_job(parsed->first, std::move(*job), entry.revision);
  }
}

void JetStreamDirectory::apply_job(const BusId& bus, bus::JobState job, std::uint64_t revision) {
  std::unique_lock lock(mutex_);
  auto& jobs = jobs_[bus];
  auto& slot = jobs[job.job_id];
  if (revision <= slot.revision) return;
  // The revision grows with every change: the waiters' version.
  job.version = revision;
  job.opened_version =
      slot.revision && slot.state.opened_at == job.opened_at ? slot.state.opened_version : revision;
  slot = Job{std::move(job), revision};
}

// --- Clients ---

boost::asio::awaitable<RegisterResult> JetStreamDirectory::register_client(const BusId& bus,
                                                                           bus::Registration r) {
  RegisterResult out;
  std::string key;
  try {
    key = item_key(bus, r.client_uuid);
  } catch (const nats::SubjectTokenError& error) {
    out.refusal = error.what();
    co_return out;
  }
  const double now = clock_();
  for (int attempt = 0; attempt < options_.conflict_attempts; ++attempt) {
    std::optional<bus::ClientInfo> current;
    std::uint64_t revision = 0;
    std::size_t clients_on_bus = 0;
    {
      std::shared_lock lock(mutex_);
      if (auto it = clients_.find(bus); it != clients_.end()) {
        clients_on_bus = it->second.size();
        if (attempt == 0) {
          if (const auto* slot = it->second.find(r.client_uuid)) {
            current = slot->info;
            revision = slot->entry.value;
          }
        }
      }
    }
    nats::KvWrite write;
    bus::ClientInfo next;
    std::optional<std::string> displaced;
    try {
      if (attempt > 0) {
        // The mirror was behind: the leader says what the key holds.
        if (auto entry = co_await clients_bucket_.get(key)) {
          current = parse_client_value(entry->value);
          revision = entry->revision;
        }
      }
      if (current) {
        // SPEC §4: in place; uuid, bucket and connected_at stay.
        next = *current;
        next.client_type = r.client_type;
        next.capabilities = r.capabilities;
        next.group_id = r.group_id;
        next.label = r.label;
        next.last_seen = now;
        if (!r.session_id.empty()) {
          if (!next.session_id.empty() && next.session_id != r.session_id) {
            displaced = next.session_id;
          }
          next.session_id = r.session_id;
        }
        write = co_await clients_bucket_.update(key, client_value(next), revision);
      } else {
        if (clients_on_bus >= options_.limits.max_clients) {
          out.refusal = "max-clients-per-bus: this bus has " + std::to_string(clients_on_bus) +
                        " clients, the most it may have; unregister one first";
          co_return out;
        }
        next.uuid = r.client_uuid;
        next.client_type = r.client_type;
        next.is_persistent = r.is_persistent;
        next.capabilities = r.capabilities;
        next.group_id = r.group_id;
        next.label = r.label;
        next.connected_at = now;
        next.last_seen = now;
        next.session_id = r.session_id;
        write = co_await clients_bucket_.create(key, client_value(next));
      }
    } catch (const nats::NatsError& error) {
      spdlog::warn("cluster: registering a client could not be stored: {}", error.what());
      out.stored = false;
      co_return out;
    }
    if (const auto* written = std::get_if<nats::KvWritten>(&write)) {
      apply_client(bus, next, written->revision);
      out.displaced_holder = std::move(displaced);
      next.online = !next.session_id.empty();
      if (counts_of_) {
        const auto counts = counts_of_(bus, next.uuid);
        next.pending_records = counts.pending;
        next.dropped_records = counts.dropped;
      }
      out.client = std::move(next);
      co_return out;
    }
    // A conflict: another node changed the key since; read it again.
  }
  spdlog::warn("cluster: registering {} kept conflicting with other nodes' writes", key);
  out.stored = false;
  co_return out;
}

boost::asio::awaitable<UnregisterResult> JetStreamDirectory::unregister_client(
    const BusId& bus, std::string_view client_uuid) {
  UnregisterResult out;
  std::string key;
  try {
    key = item_key(bus, client_uuid);
  } catch (const nats::SubjectTokenError&) {
    co_return out;  // no such client can exist
  }
  const std::string uuid(client_uuid);
  try {
    {
      std::shared_lock lock(mutex_);
      auto it = clients_.find(bus);
      out.found = it != clients_.end() && it->second.contains(uuid);
    }
    if (!out.found) out.found = (co_await clients_bucket_.get(key)).has_value();
    if (!out.found) co_return out;
    const std::string subject = nats::kv_subject(kClientsBucket, key);
    static const std::array<nats::Header, 1> kDelete{nats::Header{"KV-Operation", "DEL"}};
    const nats::PublishRequest request{subject, "", {}, std::nullopt, kDelete};
    auto result = co_await publisher_.publish(request);
    result.check();
    forget_client_locally(bus, uuid, result.sequence);
  } catch (const nats::NatsError& error) {
    spdlog::warn("cluster: unregistering a client could not be stored: {}", error.what());
    out.stored = false;
  }
  co_return out;
}

std::vector<Target> JetStreamDirectory::resolve(const BusId& bus, const bus::Routing& routing,
                                                std::string_view origin) const {
  std::vector<Target> out;
  std::shared_lock lock(mutex_);
  auto it = clients_.find(bus);
  if (it == clients_.end()) return out;
  const auto slots = it->second.resolve(routing, origin);
  out.reserve(slots.size());
  for (const auto* slot : slots) {
    out.push_back(Target{slot->info.uuid, slot->info.is_persistent, slot->info.session_id});
  }
  return out;
}

bool JetStreamDirectory::online_locked(const std::string& key) const {
  auto it = presence_.find(key);
  if (it == presence_.end()) return false;
  const auto& node = it->second.value.node;
  return node == options_.node || !node_live_ || node_live_(node);
}

bus::ClientInfo JetStreamDirectory::with_liveness_locked(const BusId& bus,
                                                         const bus::ClientInfo& info,
                                                         double now) const {
  bus::ClientInfo out = info;
  out.online = online_locked(item_key(bus, info.uuid));
  out.last_seen_seconds_ago = std::max(0.0, now - out.last_seen);
  out.stale =
      out.is_persistent && !out.online && out.last_seen_seconds_ago > options_.stale_after_seconds;
  return out;
}

bus::ClientSnapshot JetStreamDirectory::snapshot(const BusId& bus) const {
  bus::ClientSnapshot out;
  const double now = clock_();
  {
    std::shared_lock lock(mutex_);
    auto it = clients_.find(bus);
    if (it == clients_.end()) return out;
    for (const auto& [order, slot] : it->second.ordered()) {
      auto info = with_liveness_locked(bus, slot->info, now);
      (info.is_persistent ? out.persistent : out.ephemeral).push_back(std::move(info));
    }
  }
  if (counts_of_) {
    for (auto* list : {&out.persistent, &out.ephemeral}) {
      for (auto& info : *list) {
        const auto counts = counts_of_(bus, info.uuid);
        info.pending_records = counts.pending;
        info.dropped_records = counts.dropped;
      }
    }
  }
  return out;
}

std::optional<bus::ClientInfo> JetStreamDirectory::find(const BusId& bus,
                                                        std::string_view client_uuid) const {
  std::optional<bus::ClientInfo> out;
  {
    std::shared_lock lock(mutex_);
    auto it = clients_.find(bus);
    if (it == clients_.end()) return out;
    const auto* slot = it->second.find(client_uuid);
    if (!slot) return out;
    out = with_liveness_locked(bus, slot->info, clock_());
  }
  if (counts_of_) {
    const auto counts = counts_of_(bus, out->uuid);
    out->pending_records = counts.pending;
    out->dropped_records = counts.dropped;
  }
  return out;
}

std::vector<std::string> JetStreamDirectory::clients_of(const BusId& bus,
                                                        std::string_view holder) const {
  std::vector<std::string> out;
  std::shared_lock lock(mutex_);
  auto it = clients_.find(bus);
  if (it == clients_.end() || holder.empty()) return out;
  if (const auto* members = it->second.of_session(holder)) {
    for (const auto& [order, slot] : *members) out.push_back(slot->info.uuid);
  }
  return out;
}

std::vector<std::string> JetStreamDirectory::end_holder(const BusId& bus, std::string_view holder) {
  std::vector<std::string> left;
  if (holder.empty()) return left;
  struct Change {
    std::string key;
    bus::ClientInfo info;
    std::uint64_t revision;
  };
  std::vector<Change> changes;
  {
    std::unique_lock lock(mutex_);
    auto it = clients_.find(bus);
    if (it == clients_.end()) return left;
    const auto* members = it->second.of_session(holder);
    if (!members) return left;
    std::vector<Clients::Slot*> slots;
    for (const auto& [order, slot] : *members) slots.push_back(slot);
    for (auto* slot : slots) {
      changes.push_back(Change{item_key(bus, slot->info.uuid), slot->info, slot->entry.value});
      if (slot->info.is_persistent) {
        // Persistent clients stay, unbound, until they register again.
        it->second.update(*slot, [](bus::ClientInfo& info) { info.session_id.clear(); });
      } else {
        left.push_back(slot->info.uuid);
        // Until the delete comes back: puts up to the revision seen are old.
        auto& tombstone = client_tombstones_[changes.back().key];
        tombstone = std::max(tombstone, slot->entry.value);
        it->second.erase(*slot);
      }
    }
  }
  // Conditional on the revision this node saw: a registration elsewhere
  // since then wins.
  for (auto& change : changes) {
    if (change.info.is_persistent) {
      change.info.session_id.clear();
      write_later(kClientsBucket, change.key, client_value(change.info), change.revision, "");
    } else {
      write_later(kClientsBucket, change.key, "", change.revision, "DEL");
    }
  }
  return left;
}

// --- Presence ---

void JetStreamDirectory::hold(const BusId& bus, std::string_view client_uuid,
                              std::string_view holder) {
  const std::string key = item_key(bus, client_uuid);
  PresenceValue value{options_.node, std::string(holder), clock_()};
  {
    std::unique_lock lock(mutex_);
    auto& presence = presence_[key];
    presence.value = value;
  }
  write_later(kPresenceBucket, key, presence_value(value), std::nullopt, "",
              [this, key, value](const nats::PublishResult& result) {
                if (!result.ok()) return;
                std::unique_lock lock(mutex_);
                auto it = presence_.find(key);
                if (it != presence_.end() && it->second.value.node == value.node &&
                    it->second.value.holder == value.holder &&
                    it->second.revision < result.sequence) {
                  it->second.revision = result.sequence;
                }
              });
}

void JetStreamDirectory::release(const BusId& bus, std::string_view client_uuid,
                                 std::string_view holder) {
  const std::string key = item_key(bus, client_uuid);
  std::optional<std::uint64_t> revision;
  {
    std::unique_lock lock(mutex_);
    auto it = presence_.find(key);
    // Another holder (here or on another node) took the client since.
    if (it == presence_.end() || it->second.value.node != options_.node ||
        it->second.value.holder != holder) {
      return;
    }
    if (it->second.revision) revision = it->second.revision;
    presence_.erase(it);
  }
  write_later(kPresenceBucket, key, "", revision, "DEL");
}

bool JetStreamDirectory::online(const BusId& bus, std::string_view client_uuid) const {
  const std::string key = item_key(bus, client_uuid);
  std::shared_lock lock(mutex_);
  return online_locked(key);
}

std::unordered_map<std::string, std::string> JetStreamDirectory::feed_nodes(
    const BusId& bus) const {
  std::unordered_map<std::string, std::string> out;
  std::shared_lock lock(mutex_);
  auto it = clients_.find(bus);
  if (it == clients_.end()) return out;
  for (const auto& [order, slot] : it->second.ordered()) {
    const std::string key = item_key(bus, slot->info.uuid);
    if (!online_locked(key)) continue;
    out.emplace(slot->info.uuid, presence_.at(key).value.node);
  }
  return out;
}

// --- Jobs ---

std::unique_ptr<Settlement> JetStreamDirectory::job_write(const BusId& bus, bus::JobState job) {
  const std::string key = item_key(bus, job.job_id);
  const std::string subject = nats::kv_subject(kJobsBucket, key);
  const std::string value = job_value(job);
  auto batch = publisher_.start(nats::PublishRequest{subject, value, {}, std::nullopt, {}});
  auto stored = [this, bus, job](const nats::PublishResult& result) {
    apply_job(bus, job, result.sequence);
  };
  // Called on the ack's thread, which must not publish (it frees the
  // publisher's slots): the undo goes out from the pool.
  auto undo = [&publisher = publisher_, &pool = pool_, key](const nats::PublishResult& result) {
    boost::asio::post(pool.executor(), [&publisher, key, revision = result.sequence] {
      write_kv_later(publisher, kJobsBucket, key, "", revision, "DEL");
    });
  };
  return std::make_unique<KvSettlement>(std::move(batch), std::move(stored), std::move(undo));
}

std::unique_ptr<Settlement> JetStreamDirectory::open_job(const BusId& bus, std::string_view job_id,
                                                         std::string_view originator,
                                                         std::string_view target, double now) {
  bus::JobState job;
  job.job_id = std::string(job_id);
  job.originator = std::string(originator);
  job.target = std::string(target);
  job.opened_at = now;
  return job_write(bus, std::move(job));
}

std::optional<std::string> JetStreamDirectory::job_originator(const BusId& bus,
                                                              std::string_view job_id) const {
  auto job = job_state(bus, job_id);
  if (!job || !is_open(*job) || job->originator.empty()) return std::nullopt;
  return job->originator;
}

std::unique_ptr<Settlement> JetStreamDirectory::correlate_job(const BusId& bus,
                                                              const bus::JobUpdate& update,
                                                              double now) {
  bus::JobState job = job_state(bus, update.job_id).value_or(bus::JobState{});
  job.job_id = update.job_id;
  job.status = update.status;
  job.result = update.result;
  job.error = update.error;
  job.progress = update.progress;
  job.progress_message = update.progress_message;
  job.updated_at = now;
  return job_write(bus, std::move(job));
}

std::optional<bus::JobState> JetStreamDirectory::job_state(const BusId& bus,
                                                           std::string_view job_id) const {
  std::shared_lock lock(mutex_);
  auto it = jobs_.find(bus);
  if (it == jobs_.end()) return std::nullopt;
  auto job = it->second.find(std::string(job_id));
  if (job == it->second.end()) return std::nullopt;
  return job->second.state;
}

std::size_t JetStreamDirectory::open_job_count(const BusId& bus) const {
  std::shared_lock lock(mutex_);
  auto it = jobs_.find(bus);
  if (it == jobs_.end()) return 0;
  return static_cast<std::size_t>(std::count_if(
      it->second.begin(), it->second.end(), [](const auto& j) { return is_open(j.second.state); }));
}

std::vector<bus::JobState> JetStreamDirectory::latest_jobs(const BusId& bus,
                                                           std::size_t limit) const {
  std::vector<bus::JobState> open;
  std::vector<bus::JobState> finished;
  {
    std::shared_lock lock(mutex_);
    auto it = jobs_.find(bus);
    if (it == jobs_.end()) return {};
    for (const auto& [id, job] : it->second) {
      (is_open(job.state) ? open : finished).push_back(job.state);
    }
  }
  auto newest_first = [limit](std::vector<bus::JobState>& jobs) {
    std::sort(jobs.begin(), jobs.end(),
              [](const auto& a, const auto& b) { return a.version > b.version; });
    if (jobs.size() > limit) jobs.resize(limit);
  };
  newest_first(open);
  newest_first(finished);
  open.insert(open.end(), std::make_move_iterator(finished.begin()),
              std::make_move_iterator(finished.end()));
  return open;
}

// --- Writes ---

void JetStreamDirectory::write_later(const std::string& bucket, const std::string& key,
                                     std::string value, std::optional<std::uint64_t> expected,
                                     std::string_view operation,
                                     std::function<void(const nats::PublishResult&)> on_result) {
  write_kv_later(publisher_, bucket, key, value, expected, operation, std::move(on_result));
}

std::vector<BusId> JetStreamDirectory::bus_ids() const {
  std::vector<BusId> out;
  std::shared_lock lock(mutex_);
  for (const auto& [bus, clients] : clients_) {
    if (clients.size() > 0) out.push_back(bus);
  }
  for (const auto& [bus, jobs] : jobs_) {
    auto clients = clients_.find(bus);
    if (!jobs.empty() && (clients == clients_.end() || clients->second.size() == 0)) {
      out.push_back(bus);
    }
  }
  return out;
}

void JetStreamDirectory::purge_bus(const BusId& bus) {
  const std::string prefix = nats::encode_subject_token(bus) + ".";
  std::vector<nats::PublishRequest> requests;
  std::vector<std::string> subjects;
  std::set<std::string> presence_keys;
  for (const auto* mirror : {clients_mirror_.get(), presence_mirror_.get(), jobs_mirror_.get()}) {
    for (const auto& entry : mirror->entries()) {
      if (!entry.key.starts_with(prefix) || entry.operation != Operation::put) continue;
      if (mirror == presence_mirror_.get()) {
        presence_keys.insert(entry.key);
      } else {
        subjects.push_back(nats::kv_subject(mirror->bucket(), entry.key));
      }
      // A client's presence key is its client key. The presence mirror may
      // not have heard of a hold yet that the clients mirror shows the
      // client of: purging the key unheard costs one marker, and the client
      // is not left online on the node that holds it.
      if (mirror == clients_mirror_.get()) presence_keys.insert(entry.key);
    }
  }
  for (const auto& key : presence_keys) {
    subjects.push_back(nats::kv_subject(kPresenceBucket, key));
  }
  static const std::array<nats::Header, 2> kPurge{nats::Header{"KV-Operation", "PURGE"},
                                                  nats::Header{"Nats-Rollup", "sub"}};
  for (const auto& subject : subjects) {
    requests.push_back(nats::PublishRequest{subject, "", {}, std::nullopt, kPurge});
  }
  if (!requests.empty()) {
    std::promise<std::vector<nats::PublishResult>> done;
    auto settled = done.get_future();
    publisher_.start(requests)->on_settled(
        [&done](const std::vector<nats::PublishResult>& r) { done.set_value(r); });
    const auto results = settled.get();
    const std::string clients_prefix = nats::kv_subject(kClientsBucket, "");
    std::unique_lock lock(mutex_);
    for (std::size_t i = 0; i < results.size(); ++i) {
      results[i].check();
      if (subjects[i].starts_with(clients_prefix)) {
        client_tombstones_[subjects[i].substr(clients_prefix.size())] = results[i].sequence;
      }
    }
  }
  std::unique_lock lock(mutex_);
  clients_.erase(bus);
  jobs_.erase(bus);
  std::erase_if(presence_, [&](const auto& entry) { return entry.first.starts_with(prefix); });
}

}  // namespace blender_bus::delivery::jetstream
