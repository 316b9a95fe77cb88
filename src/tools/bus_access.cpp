#include "tools/bus_access.hpp"

#include "bus/shared_bus_id.hpp"

namespace blender_bus::tools {

BusRefusal bus_error(std::string_view error) {
  BusRefusal out;
  out["status"] = "error";
  out["error"] = error;
  return out;
}

BusOnUri split_bus_id(std::string_view rest) {
  constexpr std::string_view kQuery = "?bus_id=";
  const auto at = rest.find(kQuery);
  if (at == std::string_view::npos) return {rest, std::nullopt};
  return {rest.substr(0, at), std::string(rest.substr(at + kQuery.size()))};
}

void shown_on(const BusGrant& grant, std::string_view user, boost::json::object& result) {
  if (!grant.shared()) return;
  if (auto* user_id = result.if_contains("user_id")) *user_id = user;
  result["bus_id"] = grant.wire_id;
}

std::variant<BusGrant, BusRefusal> BusAccess::check(std::string_view user,
                                                    const std::optional<std::string>& bus_id,
                                                    sharing::BusAction action) const {
  checks_.fetch_add(1, std::memory_order_relaxed);
  if (!bus_id || *bus_id == user) {
    return BusGrant{std::string(user), std::string(user), std::nullopt};
  }
  const std::optional<sharing::BusRole> role =
      memberships_ ? memberships_->role_of(*bus_id, user) : std::nullopt;
  if (!role) return bus_error("bus not found");
  if (!sharing::permits(*role, action)) {
    return bus_error("forbidden: " + std::string(sharing::role_name(*role)) + " cannot " +
                     std::string(sharing::action_name(action)));
  }
  return BusGrant{bus::shared_bus_key(*bus_id), *bus_id, role};
}

std::optional<BusRefusal> BusAccess::check_client(const BusGrant& grant, std::string_view user,
                                                  std::string_view client_uuid) const {
  if (!grant.shared() || !memberships_) return std::nullopt;
  auto owner = memberships_->client_owner(grant.wire_id, client_uuid);
  if (!owner || *owner == user) return std::nullopt;
  return bus_error("client_uuid belongs to another member of this bus");
}

std::optional<BusRefusal> BusAccess::check_again(const BusGrant& grant, std::string_view user,
                                                 sharing::BusAction action,
                                                 std::string_view client_uuid) const {
  if (!grant.shared()) return std::nullopt;
  auto checked = check(user, grant.wire_id, action);
  if (auto* refusal = std::get_if<BusRefusal>(&checked)) return std::move(*refusal);
  return check_client(std::get<BusGrant>(checked), user, client_uuid);
}

}  // namespace blender_bus::tools
