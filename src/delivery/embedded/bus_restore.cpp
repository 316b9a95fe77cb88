#include "delivery/embedded/bus_restore.hpp"

#include <map>
#include <set>

#include "delivery/store_journal.hpp"

namespace blender_bus::delivery::embedded {

void restore_buses(BusManager& buses, const store::BusSnapshot& snapshot) {
  // Records by (user, client); the snapshot is sorted that way.
  std::map<std::pair<std::string_view, std::string_view>, std::vector<InboxRecord>> inboxes;
  for (const auto& r : snapshot.records) {
    inboxes[{r.user_id, r.client_uuid}].push_back(
        InboxRecord{r.seq, static_cast<bus::Priority>(r.level), r.timestamp, r.text});
  }
  std::set<std::string_view> users;
  for (const auto& [user, seq] : snapshot.sequences) {
    buses.bus(user)->restore_sequence(seq);
    users.insert(user);
  }
  for (const auto& c : snapshot.clients) {
    RestoredClient restored;
    restored.info.uuid = c.uuid;
    restored.info.client_type = c.client_type;
    restored.info.is_persistent = true;
    restored.info.capabilities = c.capabilities;
    restored.info.group_id = c.group_id;
    restored.info.connected_at = c.connected_at;
    restored.info.last_seen = c.last_seen;
    restored.info.label = c.label;
    restored.delivered = c.delivered;
    if (auto it = inboxes.find({c.user_id, c.uuid}); it != inboxes.end()) {
      restored.records = std::move(it->second);
    }
    buses.bus(c.user_id)->restore_client(std::move(restored));
  }
  for (const auto& j : snapshot.jobs) buses.bus(j.user_id)->restore_job(j.job_id, j.originator);
  for (const auto& c : snapshot.clients) users.insert(c.user_id);
  for (const auto& user : users) {
    auto bus = buses.bus(user);
    bus->restore_sequence(bus->last_record_seq() + StoreJournal::kSequenceGap);
  }
}

}  // namespace blender_bus::delivery::embedded
