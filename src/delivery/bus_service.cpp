#include "delivery/bus_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <variant>

#include "bus/job_tracker.hpp"
#include "bus/send_plan.hpp"
#include "bus/shared_bus_id.hpp"
#include "delivery/long_poll.hpp"
#include "delivery/wake_on_records.hpp"

namespace blender_bus::delivery {

namespace asio = boost::asio;

namespace {

Settled refused(std::string error, bool over_limit = true) {
  Settled out;
  out.result["status"] = "error";
  out.result["error"] = std::move(error);
  out.rejected = over_limit;
  return out;
}

Settled refused(bus::Refusal refusal) {
  return refused(std::move(refusal.error), refusal.over_limit);
}

boost::json::array uuids_json(const std::vector<Target>& targets) {
  boost::json::array out;
  out.reserve(targets.size());
  for (const auto& t : targets) out.emplace_back(t.uuid);
  return out;
}

// One record per target from the operation's one pre-serialized text.
AppendRequest records_for(const std::vector<Target>& targets, const bus::ForwardedRecord& record,
                          std::string message_id, bus::Priority level, double timestamp,
                          bool hold) {
  AppendRequest out{std::move(message_id), {}, hold};
  out.records.reserve(targets.size());
  for (const auto& t : targets) {
    out.records.push_back({t.uuid, t.persistent, level,
                           std::make_shared<const std::string>(record.for_target(t.uuid)),
                           timestamp});
  }
  return out;
}

}  // namespace

BusService::BusService(embedded::BusManager& buses, mcp::SessionRegistry& sessions,
                       BusJournal* journal, const metrics::ServerMetrics* metrics)
    : buses_(buses),
      sessions_(sessions),
      metrics_(metrics),
      inbox_log_(std::in_place, buses, journal, &sessions),
      client_directory_(std::in_place, buses, journal, presence()),
      log_(*inbox_log_),
      directory_(*client_directory_) {}

BusService::BusService(embedded::BusManager& buses, mcp::SessionRegistry& sessions, RecordLog& log,
                       Directory& directory, const metrics::ServerMetrics* metrics)
    : buses_(buses), sessions_(sessions), metrics_(metrics), log_(log), directory_(directory) {}

void BusService::count_send(bus::RoutingMode routing) {
  if (!metrics_) return;
  switch (routing) {
    case bus::RoutingMode::direct:
      return metrics_->count_send(metrics::SendRouting::direct);
    case bus::RoutingMode::group:
      return metrics_->count_send(metrics::SendRouting::group);
    case bus::RoutingMode::type_filter:
      return metrics_->count_send(metrics::SendRouting::type_filter);
    case bus::RoutingMode::broadcast:
      return metrics_->count_send(metrics::SendRouting::broadcast);
  }
}

BusActivity BusService::activity(const BusId& bus) const {
  if (!inbox_log_) return activity_.read(bus);
  auto found = buses_.find(bus);
  if (!found) return {};
  const bus::BusStats stats = found->stats();
  return {stats.sends, stats.records};
}

std::uint64_t BusService::dropped_on_removed_buses() const {
  return inbox_log_ ? buses_.all().removed_dropped_records : 0;
}

void BusService::count_delivered(std::size_t records) {
  if (metrics_ && records) metrics_->count_delivered(records);
}

// A registration took `client_uuid` from another session that still held it.
// Logged (a warning while that session's stream is open: a live client goes
// deaf unless it acts), and that stream is woken to read its client_displaced
// record. Session ids are shortened: the log needs to tell them apart only.
void BusService::report_takeover(const mcp::Session& session, const std::string& client_uuid,
                                 const std::string& displaced) {
  auto other = sessions_.find(displaced);
  const bool streaming = other && other->stream_signal().has_consumer();
  const auto level = streaming ? spdlog::level::warn : spdlog::level::info;
  spdlog::log(level,
              "user {}: client {} taken over by session {}… from session {}… ({}); the displaced "
              "session is sent client_displaced",
              session.user_id(), client_uuid, session.id().substr(0, 8), displaced.substr(0, 8),
              streaming ? "its stream is open" : "no stream open");
  if (other) other->stream_signal().wake();
}

asio::awaitable<bool> BusService::settle(Settlement* job, Append* append) {
  // Both changes were started before either is awaited, so an engine that
  // batches its writes commits them together.
  bool stored = true;
  if (job) stored = co_await job->settled();
  if (append) {
    if (stored) {
      stored = co_await append->settled();
    } else {
      append->withdraw();  // held behind the job: it reaches nobody
    }
  }
  co_return stored;
}

asio::awaitable<Settled> BusService::register_client(mcp::SessionPtr session,
                                                     bus::Registration registration) {
  BusId bus = session->user_id();
  co_return co_await register_client(std::move(bus), std::move(session), std::move(registration));
}

asio::awaitable<Settled> BusService::register_client(BusId bus, mcp::SessionPtr session,
                                                     bus::Registration registration) {
  registration.session_id = session->id();
  const std::string client_uuid = registration.client_uuid;
  // A session's stream carries the shared buses it registered on; a binding
  // of MCP 2026-07-28 (no session in the registry) has no stream to carry them.
  if (bus::is_shared_bus(bus) && sessions_.find(session->id())) {
    std::lock_guard lock(shared_sessions_mutex_);
    auto& buses = shared_sessions_[session->id()];
    if (std::find(buses.begin(), buses.end(), bus) == buses.end()) buses.push_back(bus);
    shared_session_count_.store(shared_sessions_.size(), std::memory_order_release);
  }
  RegisterResult registered = co_await directory_.register_client(bus, std::move(registration));
  if (registered.refusal) co_return refused(std::move(*registered.refusal));
  if (registered.displaced_holder) {
    report_takeover(*session, client_uuid, *registered.displaced_holder);
  }
  // The session may have ended while this call ran; its end listener has
  // then already swept the bus, so sweep again for this registration.
  if (session->ended()) directory_.end_holder(bus, session->id());
  // Records that waited for this client now flow to this session's stream.
  if (registered.stored) session->stream_signal().wake();
  Settled out;
  out.result["status"] = "ok";
  out.result["client"] = registered.client.to_json();
  out.stored = registered.stored;
  co_return out;
}

asio::awaitable<Settled> BusService::unregister_client(BusId bus, std::string client_uuid) {
  const UnregisterResult removed = co_await directory_.unregister_client(bus, client_uuid);
  Settled out;
  out.result["status"] = removed.found ? "ok" : "not_found";
  out.result["client_uuid"] = client_uuid;
  out.stored = removed.stored;
  co_return out;
}

asio::awaitable<Settled> BusService::send(BusId bus, const boost::json::object& payload,
                                          bus::SendRequest request) {
  auto planned = bus::plan_send(payload, request, bus, limits(), buses_.random(), buses_.now());
  if (auto* refusal = std::get_if<bus::Refusal>(&planned)) co_return refused(std::move(*refusal));
  const bus::SendPlan& plan = std::get<bus::SendPlan>(planned);

  const std::vector<Target> targets = directory_.resolve(bus, plan.routing, plan.origin);
  std::unique_ptr<Append> append;
  if (!targets.empty()) {
    // A send that opens a job holds its records until the job is stored
    // too: a send answered with an error reaches nobody.
    append = log_.append(bus, records_for(targets, plan.record(bus), plan.message_id, plan.priority,
                                          plan.timestamp, plan.opens_job));
    if (append->refusal()) co_return refused(*append->refusal());
  }
  std::unique_ptr<Settlement> job;
  if (plan.opens_job) {
    job =
        directory_.open_job(bus, plan.job_id, plan.origin, plan.routing.to_spec(), plan.timestamp);
  }
  Settled out;
  out.stored = co_await settle(job.get(), append.get());
  if (job) waiters_.wake(Waiters::job_key(bus, plan.job_id));
  out.result["status"] = "ok";
  out.result["message_id"] = plan.message_id;
  out.result["job_id"] = plan.job_id;
  out.result["targets"] = uuids_json(targets);
  out.result["routing"] = plan.routing.to_json();
  if (out.stored) {
    count_send(plan.routing.mode);
    if (!inbox_log_) activity_.count(bus, true, targets.size());
  }
  co_return out;
}

asio::awaitable<Settled> BusService::job_update(BusId bus, bus::JobUpdate update) {
  std::string updater;  // the updating session's first client, if it has one here
  if (!update.session_id.empty()) {
    auto members = directory_.clients_of(bus, update.session_id);
    if (!members.empty()) updater = std::move(members.front());
  }
  auto planned =
      bus::plan_job_update(update, updater, bus, limits(), buses_.random(), buses_.now());
  if (auto* refusal = std::get_if<bus::Refusal>(&planned)) co_return refused(std::move(*refusal));
  const bus::JobUpdatePlan& plan = std::get<bus::JobUpdatePlan>(planned);

  bus::Routing routing;  // broadcast unless the job is open
  if (auto originator = directory_.job_originator(bus, update.job_id)) {
    routing = bus::Routing{bus::RoutingMode::direct, std::move(*originator)};
  }
  const std::vector<Target> targets = directory_.resolve(bus, routing, plan.origin);
  const bool closes =
      routing.mode == bus::RoutingMode::direct && bus::JobTracker::is_terminal(update.status);
  std::unique_ptr<Append> append;
  if (!targets.empty()) {
    append = log_.append(
        bus, records_for(targets, plan.record(bus, update.job_id, routing), plan.message_id,
                         bus::Priority::notice, plan.timestamp, closes));
    // The job changes only once its records are in: a refused update leaves it as it was.
    if (append->refusal()) co_return refused(*append->refusal());
  }
  std::unique_ptr<Settlement> job = directory_.correlate_job(bus, update, plan.timestamp);
  Settled out;
  out.stored = co_await settle(job.get(), append.get());
  // Every update (not only open/close) is news to a blender_job_status waiter.
  waiters_.wake(Waiters::job_key(bus, update.job_id));
  if (out.stored && !inbox_log_) activity_.count(bus, false, targets.size());
  out.result["status"] = "ok";
  out.result["delivered"] = routing.mode == bus::RoutingMode::direct ? "direct" : "broadcast";
  out.result["targets"] = uuids_json(targets);
  co_return out;
}

boost::json::object BusService::list_clients(const BusId& bus) {
  return bus::list_clients_view(bus, directory_.snapshot(bus));
}

boost::json::object BusService::clients_resource(const BusId& bus) {
  return bus::clients_resource_view(bus, directory_.snapshot(bus));
}

boost::json::object BusService::stats_resource(const BusId& bus) {
  const bus::ClientSnapshot clients = directory_.snapshot(bus);
  const RecordCounts records = log_.bus_counts(bus);
  bus::BusStats stats;
  stats.persistent_count = clients.persistent.size();
  stats.ephemeral_count = clients.ephemeral.size();
  stats.pending_jobs = directory_.open_job_count(bus);
  stats.dropped_records = records.dropped;
  stats.pending_records = records.pending;
  return bus::stats_resource_view(bus, stats);
}

asio::awaitable<std::optional<RecordRead>> BusService::receive(BusId bus, std::string client_uuid,
                                                               std::optional<std::uint64_t> after,
                                                               std::size_t limit,
                                                               std::chrono::milliseconds wait) {
  if (!directory_.find(bus, client_uuid)) co_return std::nullopt;
  if (wait.count() > 0) {
    // A feed after the read's cursor wakes the wait when a record comes; a
    // client taken off the bus meanwhile (its member removed) ends it too.
    WakeOnRecords listener(waiters_, Waiters::client_key(bus, client_uuid));
    FeedOpening opening = log_.open_feed(bus, client_uuid, after, listener);
    if (opening.feed || opening.error == ResumeError::not_issued) {
      // A cursor never issued has nothing after it until the bus passes it:
      // the wait runs out, as a wait on an empty inbox does.
      Feed* feed = opening.feed.get();
      co_await wait_until(
          waiters_, listener.key(),
          [this, feed, &bus, &client_uuid] {
            return (feed && !feed->next(1).empty()) || !directory_.find(bus, client_uuid);
          },
          wait);
    }
  }
  RecordRead read = co_await log_.read(bus, client_uuid, after, limit);
  if (!read.found) co_return std::nullopt;
  count_delivered(read.records.size());
  co_return read;
}

asio::awaitable<std::optional<JobStatus>> BusService::job_status(BusId bus, std::string job_id,
                                                                 std::chrono::milliseconds wait) {
  std::optional<bus::JobState> state = directory_.job_state(bus, job_id);
  // A finished job changes no more: answered at once, whenever the wait began.
  if (wait.count() > 0 && !(state && bus::JobTracker::is_terminal(state->status))) {
    const std::uint64_t seen = state ? state->version : 0;
    co_await wait_until(
        waiters_, Waiters::job_key(bus, job_id),
        [&] {
          state = directory_.job_state(bus, job_id);
          return state && state->version != seen;
        },
        wait);
  }
  if (!state) co_return std::nullopt;
  const bool open = directory_.job_originator(bus, job_id).has_value();
  co_return JobStatus{std::move(*state), open};
}

std::vector<BusId> BusService::shared_buses_of(std::string_view session_id) const {
  if (shared_session_count_.load(std::memory_order_acquire) == 0) return {};
  std::lock_guard lock(shared_sessions_mutex_);
  auto it = shared_sessions_.find(session_id);
  if (it == shared_sessions_.end()) return {};
  return it->second;
}

void BusService::session_ended(const mcp::Session& session) {
  directory_.end_holder(session.user_id(), session.id());
  std::vector<BusId> shared;
  {
    std::lock_guard lock(shared_sessions_mutex_);
    auto it = shared_sessions_.find(session.id());
    if (it == shared_sessions_.end()) return;
    shared = std::move(it->second);
    shared_sessions_.erase(it);
    shared_session_count_.store(shared_sessions_.size(), std::memory_order_release);
  }
  for (const BusId& bus : shared) directory_.end_holder(bus, session.id());
}

asio::awaitable<void> BusService::remove_clients(BusId bus, std::vector<std::string> client_uuids) {
  for (const std::string& uuid : client_uuids) {
    log_.forget_client(bus, uuid);  // its pending records go first, cursor and all
    co_await directory_.unregister_client(bus, uuid);
    waiters_.wake(Waiters::client_key(bus, uuid));
  }
}

void BusService::purge_shared_bus(const BusId& bus) {
  // Receives waiting on its clients answer at once (they check their grant
  // again when woken: "bus not found"), not at the end of their wait.
  const bus::ClientSnapshot clients = directory_.snapshot(bus);
  directory_.purge_bus(bus);
  log_.purge_bus(bus);
  for (const auto* bucket : {&clients.persistent, &clients.ephemeral}) {
    for (const auto& client : *bucket) waiters_.wake(Waiters::client_key(bus, client.uuid));
  }
}

void BusService::cursors_moved(std::string_view bus,
                               const std::vector<embedded::CursorUpdate>& updates) {
  if (inbox_log_) inbox_log_->cursors_moved(bus, updates);
}

void BusService::forget_user(const std::string& user_id) {
  // Sessions first: their end drops ephemeral clients from the bus about to go.
  sessions_.end_user(user_id);
  directory_.purge_bus(user_id);
  log_.purge_bus(user_id);
  activity_.forget(user_id);
}

embedded::PresenceLookup BusService::presence() const {
  return [&sessions = sessions_, &beyond = beyond_sessions_](
             std::string_view id) -> std::optional<embedded::SessionPresence> {
    auto session = sessions.find(std::string(id));
    if (!session) return beyond ? beyond(id) : std::nullopt;
    const auto& stream = session->stream_signal();
    return embedded::SessionPresence{stream.has_consumer() || !stream.ever_attached(),
                                     session->last_activity_unix()};
  };
}

}  // namespace blender_bus::delivery
