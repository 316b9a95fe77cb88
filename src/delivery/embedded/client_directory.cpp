#include "delivery/embedded/client_directory.hpp"

#include <utility>

#include "delivery/embedded/change_settlement.hpp"

namespace blender_bus::delivery::embedded {

ClientDirectory::ClientDirectory(BusManager& buses, BusJournal* journal, PresenceLookup presence)
    : buses_(buses), journal_(journal), presence_(std::move(presence)) {}

std::unique_ptr<Settlement> ClientDirectory::settlement(const BusId& bus_id,
                                                        std::shared_ptr<UserMessageBus> bus,
                                                        Outcome outcome) {
  const std::uint64_t ticket = journal_ ? journal_->record(bus_id, outcome) : 0;
  return std::make_unique<ChangeSettlement>(bus_id, std::move(bus), std::move(outcome), journal_,
                                            ticket, nullptr);
}

boost::asio::awaitable<RegisterResult> ClientDirectory::register_client(
    const BusId& bus_id, bus::Registration registration) {
  auto bus = buses_.bus(bus_id);
  Outcome outcome = bus->register_client(std::move(registration));
  RegisterResult out;
  if (outcome.rejected) {
    out.refusal = std::string(outcome.result.at("error").as_string());
    co_return out;
  }
  out.client = *outcome.client;
  out.displaced_holder = outcome.displaced_session;
  out.stored = co_await settlement(bus_id, std::move(bus), std::move(outcome))->settled();
  co_return out;
}

boost::asio::awaitable<UnregisterResult> ClientDirectory::unregister_client(
    const BusId& bus_id, std::string_view client_uuid) {
  auto bus = buses_.bus(bus_id);
  Outcome outcome = bus->unregister_client(client_uuid);
  UnregisterResult out;
  out.found = outcome.result.at("status") == "ok";
  out.stored = co_await settlement(bus_id, std::move(bus), std::move(outcome))->settled();
  co_return out;
}

std::vector<Target> ClientDirectory::resolve(const BusId& bus, const bus::Routing& routing,
                                             std::string_view origin) const {
  // The bus's activity and its send count are noted here, under the lock
  // the resolve takes anyway (both sends and job updates resolve).
  return buses_.bus(bus)->resolve(routing, origin, buses_.now(), true);
}

bool ClientDirectory::held(const BusId& bus, std::string_view client_uuid) const {
  std::lock_guard lock(holds_mutex_);
  return holds_.find(std::pair{bus, std::string(client_uuid)}) != holds_.end();
}

bus::ClientSnapshot ClientDirectory::snapshot(const BusId& bus_id) const {
  auto bus = buses_.find(bus_id);
  if (!bus) return {};
  bus::ClientSnapshot out = bus->snapshot(presence_);
  for (auto* bucket : {&out.persistent, &out.ephemeral}) {
    for (auto& c : *bucket) {
      if (!c.online && held(bus_id, c.uuid)) {
        c.online = true;
        c.stale = false;
      }
    }
  }
  return out;
}

std::optional<bus::ClientInfo> ClientDirectory::find(const BusId& bus_id,
                                                     std::string_view client_uuid) const {
  auto bus = buses_.find(bus_id);
  if (!bus) return std::nullopt;
  return bus->find(client_uuid);
}

std::vector<std::string> ClientDirectory::clients_of(const BusId& bus_id,
                                                     std::string_view holder) const {
  auto bus = buses_.find(bus_id);
  if (!bus) return {};
  return bus->clients_for_session(holder);
}

std::vector<std::string> ClientDirectory::end_holder(const BusId& bus_id, std::string_view holder) {
  return buses_.on_session_end(bus_id, holder);
}

void ClientDirectory::hold(const BusId& bus, std::string_view client_uuid,
                           std::string_view holder) {
  std::lock_guard lock(holds_mutex_);
  holds_[std::pair{bus, std::string(client_uuid)}].emplace(holder);
}

void ClientDirectory::release(const BusId& bus, std::string_view client_uuid,
                              std::string_view holder) {
  std::lock_guard lock(holds_mutex_);
  auto it = holds_.find(std::pair{bus, std::string(client_uuid)});
  if (it == holds_.end()) return;
  if (auto h = it->second.find(std::string(holder)); h != it->second.end()) it->second.erase(h);
  if (it->second.empty()) holds_.erase(it);
}

bool ClientDirectory::online(const BusId& bus_id, std::string_view client_uuid) const {
  if (held(bus_id, client_uuid)) return true;
  auto bus = buses_.find(bus_id);
  auto info = bus ? bus->find(client_uuid) : std::nullopt;
  if (!info || info->session_id.empty()) return false;
  if (!presence_) return true;
  auto p = presence_(info->session_id);
  return p && p->online;
}

std::unique_ptr<Settlement> ClientDirectory::open_job(const BusId& bus_id, std::string_view job_id,
                                                      std::string_view originator,
                                                      std::string_view target, double now) {
  auto bus = buses_.bus(bus_id);
  Outcome outcome =
      bus->open_job(std::string(job_id), std::string(originator), std::string(target), now);
  return settlement(bus_id, std::move(bus), std::move(outcome));
}

std::optional<std::string> ClientDirectory::job_originator(const BusId& bus_id,
                                                           std::string_view job_id) const {
  auto bus = buses_.find(bus_id);
  if (!bus) return std::nullopt;
  return bus->job_originator(job_id);
}

std::unique_ptr<Settlement> ClientDirectory::correlate_job(const BusId& bus_id,
                                                           const bus::JobUpdate& update,
                                                           double now) {
  auto bus = buses_.bus(bus_id);
  Outcome outcome = bus->correlate_job(update, now);
  return settlement(bus_id, std::move(bus), std::move(outcome));
}

std::optional<bus::JobState> ClientDirectory::job_state(const BusId& bus_id,
                                                        std::string_view job_id) const {
  auto bus = buses_.find(bus_id);
  if (!bus) return std::nullopt;
  return bus->job_state(job_id);
}

std::size_t ClientDirectory::open_job_count(const BusId& bus_id) const {
  auto bus = buses_.find(bus_id);
  return bus ? bus->stats().pending_jobs : 0;
}

std::vector<bus::JobState> ClientDirectory::latest_jobs(const BusId& bus_id,
                                                        std::size_t limit) const {
  auto bus = buses_.find(bus_id);
  if (!bus) return {};
  return bus->latest_jobs(limit);
}

std::vector<BusId> ClientDirectory::bus_ids() const {
  std::vector<BusId> out;
  for (const auto& bus : buses_.all().buses) out.push_back(bus->user_id());
  return out;
}

void ClientDirectory::purge_bus(const BusId& bus_id) {
  {
    std::lock_guard lock(holds_mutex_);
    std::erase_if(holds_, [&](const auto& entry) { return entry.first.first == bus_id; });
  }
  buses_.remove(bus_id);
  if (journal_) journal_->forget_user(bus_id);
}

}  // namespace blender_bus::delivery::embedded
