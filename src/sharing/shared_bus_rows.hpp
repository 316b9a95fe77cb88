#pragma once

#include <string>
#include <vector>

#include "sharing/bus_role.hpp"

namespace blender_bus::sharing {

// The rows of the shared buses' tables (shared_bus_schema.hpp), as the store
// reads and writes them.

struct BusRow {
  std::string bus_id;  // the wire id
  std::string name;
  std::string created_by;
  double created_at = 0;  // Unix seconds
  bool archived = false;  // its last owner was deleted: nobody reads it
};

struct MembershipRow {
  std::string bus_id;
  std::string username;
  BusRole role = BusRole::guest;
  double joined_at = 0;
};

struct InvitationRow {
  std::string code_hash;  // hex SHA-256 of the code: a leaked file yields no code
  std::string bus_id;
  std::string username;
  BusRole role = BusRole::guest;
  std::string invited_by;
  double expires_at = 0;
  bool used = false;
};

// Which member registered a client uuid on a shared bus: only they may
// re-register, unregister or pull it.
struct ClientOwnerRow {
  std::string bus_id;
  std::string client_uuid;
  std::string username;
};

// How long an expired invitation is kept, so that a late joiner is told
// "invitation expired" rather than "invitation not found".
inline constexpr double kExpiredInvitationKeptSeconds = 86400;

struct SharedBusSnapshot {
  std::vector<BusRow> buses;
  std::vector<MembershipRow> memberships;
  std::vector<InvitationRow> invitations;  // unexpired, or expired within the day kept
  std::vector<ClientOwnerRow> client_owners;
};

}  // namespace blender_bus::sharing
