#pragma once

#include <string_view>

#include "sharing/shared_bus_rows.hpp"
#include "sharing/shared_bus_storage.hpp"
#include "store/database.hpp"

namespace blender_bus::sharing {

// The shared buses' tables in the embedded store (component "sharing",
// beside the users):
//   buses(bus_id PK, name, created_by, created_at, archived_at)
//   bus_memberships(bus_id → buses, username, role, joined_at; PK(bus_id, username))
//   bus_invitations(code_hash PK, bus_id → buses, username, role, invited_by,
//                   created_at, expires_at, used_at)
//   bus_client_owners(bus_id → buses, client_uuid, username; PK(bus_id, client_uuid))
// Each write is one short transaction; membership changes are rare, and no
// send reads or writes these tables (the check runs on BusMemberships'
// memory). Thread-safe as the Database is.
class SharedBusStore final : public SharedBusStorage {
 public:
  explicit SharedBusStore(store::Database& db);

  SharedBusSnapshot load(double now) override;

  // One process's memory decides the rules here, so the bool answers are
  // always true.
  void insert_bus(const BusRow& bus, const MembershipRow& owner) override;
  void archive_bus(std::string_view bus_id, double now) override;
  bool put_membership(const MembershipRow& membership) override;
  bool delete_membership(std::string_view bus_id, std::string_view username) override;
  void insert_invitation(const InvitationRow& invitation, double now) override;
  // One DELETE scanning the table (no index: it holds the invitations of
  // about the last lifetime and a day).
  void drop_invitations_expired_by(double cutoff) override;
  // Marks the invitation used and adds its membership, in one transaction.
  bool accept_invitation(std::string_view code_hash, const MembershipRow& membership,
                         double now) override;
  bool put_client_owner(const ClientOwnerRow& owner) override;
  void delete_client_owner(std::string_view bus_id, std::string_view client_uuid) override;

 private:
  store::Database& db_;
};

}  // namespace blender_bus::sharing
