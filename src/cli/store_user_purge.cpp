#include "cli/store_user_purge.hpp"

#include <vector>

#include "bus/shared_bus_id.hpp"
#include "cli/tool_memberships.hpp"
#include "sharing/shared_bus_store.hpp"
#include "store/bus_store.hpp"

namespace blender_bus::cli {

namespace {

store::BusMutation purge_bus(std::string bus) {
  store::BusMutation m;
  m.kind = store::BusMutation::Kind::purge_user;
  m.user_id = std::move(bus);
  return m;
}

}  // namespace

void purge_user_from_store(store::Database& db, const std::string& username) {
  std::vector<store::BusMutation> changes;
  changes.push_back(purge_bus(username));
  sharing::SharedBusStore shared(db);
  for (const sharing::LeftBus& left : make_tool_memberships(shared)->remove_user(username)) {
    const std::string bus = bus::shared_bus_key(left.bus_id);
    if (left.archived) {
      changes.push_back(purge_bus(bus));
      continue;
    }
    // Their records go with the store's sweep of records without a client.
    for (const std::string& uuid : left.client_uuids) {
      store::BusMutation m;
      m.kind = store::BusMutation::Kind::delete_client;
      m.user_id = bus;
      m.uuid = uuid;
      changes.push_back(std::move(m));
    }
  }
  store::BusStore(db).apply(changes);
}

}  // namespace blender_bus::cli
