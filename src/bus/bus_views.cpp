#include "bus/bus_views.hpp"

#include <boost/json/array.hpp>

namespace blender_bus::bus {

namespace {

boost::json::array clients_json(const std::vector<ClientInfo>& clients) {
  boost::json::array out;
  out.reserve(clients.size());
  for (const auto& c : clients) out.emplace_back(c.to_json());
  return out;
}

// "user_id", "persistent", "ephemeral", in that order, after what `out` holds.
void add_clients(boost::json::object& out, std::string_view user_id,
                 const ClientSnapshot& clients) {
  out["user_id"] = user_id;
  out["persistent"] = clients_json(clients.persistent);
  out["ephemeral"] = clients_json(clients.ephemeral);
}

}  // namespace

boost::json::object list_clients_view(std::string_view user_id, const ClientSnapshot& clients) {
  boost::json::object out;
  out["status"] = "ok";
  add_clients(out, user_id, clients);
  return out;
}

boost::json::object clients_resource_view(std::string_view user_id, const ClientSnapshot& clients) {
  boost::json::object out;
  add_clients(out, user_id, clients);
  return out;
}

boost::json::object stats_resource_view(std::string_view user_id, const BusStats& s) {
  boost::json::object out;
  out["user_id"] = user_id;
  out["persistent_count"] = s.persistent_count;
  out["ephemeral_count"] = s.ephemeral_count;
  out["pending_jobs_for_user"] = s.pending_jobs;
  out["dropped_records"] = s.dropped_records;
  out["pending_records"] = s.pending_records;
  return out;
}

}  // namespace blender_bus::bus
