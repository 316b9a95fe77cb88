#include "sharing/bus_role.hpp"

namespace blender_bus::sharing {

namespace {

const RolePermission& row(BusAction action) {
  return kRoleTable[static_cast<std::size_t>(action)];
}

}  // namespace

bool permits(BusRole role, BusAction action) {
  const RolePermission& r = row(action);
  switch (role) {
    case BusRole::owner:
      return r.owner;
    case BusRole::member:
      return r.member;
    case BusRole::guest:
      return r.guest;
  }
  return false;
}

std::string_view action_name(BusAction action) {
  return row(action).name;
}

std::string_view role_name(BusRole role) {
  switch (role) {
    case BusRole::owner:
      return "owner";
    case BusRole::member:
      return "member";
    case BusRole::guest:
      return "guest";
  }
  return "guest";
}

std::optional<BusRole> parse_role(std::string_view name) {
  if (name == "owner") return BusRole::owner;
  if (name == "member") return BusRole::member;
  if (name == "guest") return BusRole::guest;
  return std::nullopt;
}

}  // namespace blender_bus::sharing
