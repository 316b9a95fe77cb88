#include "delivery/bus_service.hpp"

#include <spdlog/spdlog.h>

#include "bus/job_tracker.hpp"
#include "delivery/durable_wait.hpp"
#include "delivery/long_poll.hpp"

namespace blender_bus::delivery {

BusService::BusService(delivery::embedded::BusManager& buses, mcp::SessionRegistry& sessions,
                       BusJournal* journal, const metrics::ServerMetrics* metrics)
    : buses_(buses), sessions_(sessions), journal_(journal), metrics_(metrics) {}

void BusService::count_send(const delivery::embedded::Outcome& outcome) {
  if (!metrics_ || !outcome.routing) return;
  switch (*outcome.routing) {
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

void BusService::count_delivered(std::size_t records) {
  if (metrics_ && records) metrics_->count_delivered(records);
}

namespace asio = boost::asio;

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

asio::awaitable<Settled> BusService::settled(std::string user_id,
                                             delivery::embedded::Outcome outcome) {
  const bool stored = co_await settle(std::move(user_id), outcome);
  co_return Settled{std::move(outcome), stored};
}

asio::awaitable<Settled> BusService::register_client(mcp::SessionPtr session,
                                                     bus::Registration registration) {
  registration.session_id = session->id();
  const std::string client_uuid = registration.client_uuid;
  const std::string& user_id = session->user_id();
  auto outcome = buses_.bus(user_id)->register_client(std::move(registration));
  if (outcome.displaced_session) report_takeover(*session, client_uuid, *outcome.displaced_session);
  // The session may have ended while this call ran; its end listener has
  // then already swept the bus, so sweep again for this registration.
  if (session->ended()) buses_.on_session_end(user_id, session->id());
  Settled done = co_await settled(user_id, std::move(outcome));
  // Records that waited for this client now flow to this session's stream.
  if (done.stored && !done.outcome.rejected) session->stream_signal().wake();
  co_return done;
}

asio::awaitable<Settled> BusService::unregister_client(std::string user_id,
                                                       std::string client_uuid) {
  auto outcome = buses_.bus(user_id)->unregister_client(client_uuid);
  co_return co_await settled(std::move(user_id), std::move(outcome));
}

asio::awaitable<Settled> BusService::send(std::string user_id, const boost::json::object& payload,
                                          bus::SendRequest request) {
  auto outcome = buses_.bus(user_id)->send(payload, request);
  Settled result = co_await settled(std::move(user_id), std::move(outcome));
  if (result.stored) count_send(result.outcome);
  co_return result;
}

asio::awaitable<Settled> BusService::job_update(std::string user_id, bus::JobUpdate update) {
  auto outcome = buses_.bus(user_id)->job_update(update);
  const bool stored = co_await settle(user_id, outcome);
  // Every update (not only open/close) is news to a blender_job_status waiter.
  waiters_.wake(Waiters::job_key(user_id, update.job_id));
  co_return Settled{std::move(outcome), stored};
}

boost::json::object BusService::list_clients(std::string_view user_id) {
  return buses_.bus(user_id)->list_clients(presence());
}

boost::json::object BusService::clients_resource(std::string_view user_id) {
  return buses_.bus(user_id)->clients_resource(presence());
}

boost::json::object BusService::stats_resource(std::string_view user_id) {
  return buses_.bus(user_id)->stats_resource();
}

asio::awaitable<std::optional<delivery::embedded::PullRead>> BusService::receive(
    std::string user_id, std::string client_uuid, std::optional<std::uint64_t> after,
    std::size_t limit, std::chrono::milliseconds wait) {
  auto bus = buses_.bus(user_id);
  if (!bus->find(client_uuid)) co_return std::nullopt;
  if (wait.count() > 0) {
    co_await wait_until(
        waiters_, Waiters::client_key(user_id, client_uuid),
        [&] { return bus->has_records_after(client_uuid, after); }, wait);
  }
  delivery::embedded::PullRead read = bus->receive(client_uuid, after, limit);
  if (!read.found) co_return std::nullopt;
  if (read.cursor) cursors_moved(user_id, {*read.cursor});
  count_delivered(read.items.size());
  co_return read;
}

asio::awaitable<std::optional<JobStatus>> BusService::job_status(std::string user_id,
                                                                 std::string job_id,
                                                                 std::chrono::milliseconds wait) {
  auto bus = buses_.bus(user_id);
  std::optional<bus::JobState> state = bus->job_state(job_id);
  // A finished job changes no more: answered at once, whenever the wait began.
  if (wait.count() > 0 && !(state && bus::JobTracker::is_terminal(state->status))) {
    const std::uint64_t seen = state ? state->version : 0;
    co_await wait_until(
        waiters_, Waiters::job_key(user_id, job_id),
        [&] {
          state = bus->job_state(job_id);
          return state && state->version != seen;
        },
        wait);
  }
  if (!state) co_return std::nullopt;
  const bool open = bus->job_originator(job_id).has_value();
  co_return JobStatus{std::move(*state), open};
}

boost::asio::awaitable<bool> BusService::settle(std::string user_id,
                                                const delivery::embedded::Outcome& outcome) {
  cursors_moved(user_id, outcome.cursors);
  // Journal first: a record must be on its way to disk before anyone can
  // acknowledge it (a delivered cursor must never overtake its record).
  const std::uint64_t ticket = journal_ ? journal_->record(user_id, outcome) : 0;
  if (!outcome.held) wake_readers(user_id, outcome);
  // Answered once the records for persistent targets are committed, so a
  // crash after the answer loses none of them (SPEC §9).
  const bool committed = co_await await_durable(journal_, ticket);
  if (auto bus = buses_.find(user_id)) {
    if (committed) {
      bus->release(outcome);
    } else {
      bus->withdraw(outcome);
    }
  }
  // Held records kept later ones of the same sessions back; either way those
  // may go now.
  if (outcome.held) wake_readers(user_id, outcome);
  for (const auto& job : outcome.jobs) waiters_.wake(Waiters::job_key(user_id, job.job_id));
  co_return committed;
}

void BusService::wake_readers(std::string_view user_id,
                              const delivery::embedded::Outcome& outcome) {
  // One wake per session and client, however many records a send put there.
  std::string last_session;
  for (const auto& d : outcome.deliveries) {
    if (!d.session_id.empty() && d.session_id != last_session) {
      if (auto session = sessions_.find(d.session_id)) session->stream_signal().wake();
      last_session = d.session_id;
    }
    if (waiters_.size() > 0) waiters_.wake(Waiters::client_key(user_id, d.target_uuid));
  }
}

void BusService::cursors_moved(std::string_view user_id,
                               const std::vector<delivery::embedded::CursorUpdate>& updates) {
  if (journal_ && !updates.empty()) journal_->record_cursors(user_id, updates);
}

void BusService::forget_user(const std::string& user_id) {
  // Sessions first: their end drops ephemeral clients from the bus about to go.
  sessions_.end_user(user_id);
  buses_.remove(user_id);
  if (journal_) journal_->forget_user(user_id);
}

delivery::embedded::PresenceLookup BusService::presence() const {
  return [&sessions = sessions_](
             std::string_view id) -> std::optional<delivery::embedded::SessionPresence> {
    auto session = sessions.find(std::string(id));
    if (!session) return std::nullopt;
    const auto& stream = session->stream_signal();
    return delivery::embedded::SessionPresence{stream.has_consumer() || !stream.ever_attached(),
                                               session->last_activity_unix()};
  };
}

}  // namespace blender_bus::delivery
