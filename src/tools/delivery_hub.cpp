#include "tools/delivery_hub.hpp"

#include "tools/durable_wait.hpp"

namespace blender_bus::tools {

DeliveryHub::DeliveryHub(bus::BusManager& buses, mcp::SessionRegistry& sessions,
                         BusJournal* journal, const metrics::ServerMetrics* metrics)
    : buses_(buses), sessions_(sessions), journal_(journal), metrics_(metrics) {}

void DeliveryHub::count_send(const bus::Outcome& outcome) {
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

void DeliveryHub::count_delivered(std::size_t records) {
  if (metrics_ && records) metrics_->count_delivered(records);
}

boost::asio::awaitable<bool> DeliveryHub::settle(std::string user_id, const bus::Outcome& outcome) {
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

void DeliveryHub::wake_readers(std::string_view user_id, const bus::Outcome& outcome) {
  // One wake per session and client, however many records a send put there.
  std::string last_session;
  for (const auto& d : outcome.deliveries) {
    if (!d.session_id.empty() && d.session_id != last_session) {
      if (auto session = sessions_.find(d.session_id)) session->outbound().wake();
      last_session = d.session_id;
    }
    if (waiters_.size() > 0) waiters_.wake(Waiters::client_key(user_id, d.target_uuid));
  }
}

void DeliveryHub::cursors_moved(std::string_view user_id,
                                const std::vector<bus::CursorUpdate>& updates) {
  if (journal_ && !updates.empty()) journal_->record_cursors(user_id, updates);
}

void DeliveryHub::forget_user(const std::string& user_id) {
  // Sessions first: their end drops ephemeral clients from the bus about to go.
  sessions_.end_user(user_id);
  buses_.remove(user_id);
  if (journal_) journal_->forget_user(user_id);
}

bus::PresenceLookup DeliveryHub::presence() const {
  return [&sessions = sessions_](std::string_view id) -> std::optional<bus::SessionPresence> {
    auto session = sessions.find(std::string(id));
    if (!session) return std::nullopt;
    const auto& stream = session->outbound();
    return bus::SessionPresence{stream.has_consumer() || !stream.ever_attached(),
                                session->last_activity_unix()};
  };
}

}  // namespace blender_bus::tools
