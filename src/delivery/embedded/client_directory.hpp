#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "delivery/bus_journal.hpp"
#include "delivery/directory.hpp"
#include "delivery/embedded/bus_manager.hpp"
#include "delivery/embedded/presence.hpp"

namespace blender_bus::delivery::embedded {

// The embedded Directory: each bus's ClientTable and JobTracker in its
// UserMessageBus (the truth, in memory), persistent clients and open jobs
// journaled (SPEC §9). A client is online while its session holds a stream
// (or never opened one: `presence` answers), or while a holder holds it.
class ClientDirectory final : public Directory {
 public:
  // `journal` may be null (nothing durable); `presence` may be null (a
  // client is online while bound to a session). Both must outlive this.
  ClientDirectory(BusManager& buses, BusJournal* journal, PresenceLookup presence);

  boost::asio::awaitable<RegisterResult> register_client(const BusId& bus,
                                                         bus::Registration registration) override;
  boost::asio::awaitable<UnregisterResult> unregister_client(const BusId& bus,
                                                             std::string_view client_uuid) override;
  std::vector<Target> resolve(const BusId& bus, const bus::Routing& routing,
                              std::string_view origin) const override;
  bus::ClientSnapshot snapshot(const BusId& bus) const override;
  std::optional<bus::ClientInfo> find(const BusId& bus,
                                      std::string_view client_uuid) const override;
  std::vector<std::string> clients_of(const BusId& bus, std::string_view holder) const override;
  std::vector<std::string> end_holder(const BusId& bus, std::string_view holder) override;

  void hold(const BusId& bus, std::string_view client_uuid, std::string_view holder) override;
  void release(const BusId& bus, std::string_view client_uuid, std::string_view holder) override;
  bool online(const BusId& bus, std::string_view client_uuid) const override;

  std::unique_ptr<Settlement> open_job(const BusId& bus, std::string_view job_id,
                                       std::string_view originator, std::string_view target,
                                       double now) override;
  std::optional<std::string> job_originator(const BusId& bus,
                                            std::string_view job_id) const override;
  std::unique_ptr<Settlement> correlate_job(const BusId& bus, const bus::JobUpdate& update,
                                            double now) override;
  std::optional<bus::JobState> job_state(const BusId& bus, std::string_view job_id) const override;
  std::size_t open_job_count(const BusId& bus) const override;
  std::vector<bus::JobState> latest_jobs(const BusId& bus, std::size_t limit) const override;
  std::vector<BusId> bus_ids() const override;
  void purge_bus(const BusId& bus) override;

 private:
  // Journals a change and settles it (ticket 0: at once).
  std::unique_ptr<Settlement> settlement(const BusId& bus_id, std::shared_ptr<UserMessageBus> bus,
                                         Outcome outcome);
  bool held(const BusId& bus, std::string_view client_uuid) const;

  BusManager& buses_;
  BusJournal* journal_;
  const PresenceLookup presence_;
  // Holders other than sessions (a streaming receive), by bus and client.
  mutable std::mutex holds_mutex_;
  std::map<std::pair<std::string, std::string>, std::multiset<std::string>, std::less<>> holds_;
};

}  // namespace blender_bus::delivery::embedded
