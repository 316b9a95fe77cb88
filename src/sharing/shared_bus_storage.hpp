#pragma once

#include <string_view>

#include "sharing/shared_bus_rows.hpp"

namespace blender_bus::sharing {

// Where BusMemberships writes its changes through to, and reads them back
// from: the embedded store (SharedBusStore, SQLite) or the cluster's KV
// (sharing_kv::KvSharedBusStore). BusMemberships checks each rule in memory
// first; a store shared by several processes checks again where another
// writer may have raced it, and answers false then (nothing written).
class SharedBusStorage {
 public:
  virtual ~SharedBusStorage() = default;

  virtual SharedBusSnapshot load(double now) = 0;

  virtual void insert_bus(const BusRow& bus, const MembershipRow& owner) = 0;
  virtual void archive_bus(std::string_view bus_id, double now) = 0;
  // false: the bus would be left without an owner (another owner left or
  // stepped down meanwhile).
  virtual bool put_membership(const MembershipRow& membership) = 0;
  // Also forgets the member's client uuids there. false: as put_membership
  // (an archived bus may lose its last owner).
  virtual bool delete_membership(std::string_view bus_id, std::string_view username) = 0;
  virtual void insert_invitation(const InvitationRow& invitation, double now) = 0;
  // Deletes the invitations that expired at or before `cutoff` (used or not).
  virtual void drop_invitations_expired_by(double cutoff) = 0;
  // Marks the invitation used and adds its membership. false: it was used
  // already (a second accept raced this one).
  virtual bool accept_invitation(std::string_view code_hash, const MembershipRow& membership,
                                 double now) = 0;
  // false: another member holds the uuid on that bus.
  virtual bool put_client_owner(const ClientOwnerRow& owner) = 0;
  virtual void delete_client_owner(std::string_view bus_id, std::string_view client_uuid) = 0;
};

}  // namespace blender_bus::sharing
