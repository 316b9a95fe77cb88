#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/cluster.hpp"
#include "nats/change_listener.hpp"
#include "nats/kv_bucket.hpp"
#include "nats/kv_mirror.hpp"
#include "sharing/shared_bus_storage.hpp"

namespace blender_bus::sharing_kv {

// sharing::SharedBusStorage in the cluster's BUS_SHARING bucket
// (sharing_bucket.hpp), so that a bus made, joined or left on one node is
// so on every node.
//
// load() reads this node's mirror of the bucket (memory). Writes that a
// rule depends on are conditional on the key's revision: the bus key
// carries its owners, so two owners stepping down on two nodes at once
// cannot both succeed; an invitation is marked used by one conditional
// write; a client uuid is created, never overwritten. Each write returns
// once this node's mirror shows it (bounded by 2 s), so a load() right after
// sees it.
//
// on_changed's listener hears of every change anyone made (another node,
// this one), a round trip after it: the composition root calls
// BusMemberships::reload() there and takes off the clients of members who
// left.
//
// Cost: writes block the calling thread for their round trips (one to four:
// membership changes are rare; no send writes here). Thread-safe.
class KvSharedBusStore final : public sharing::SharedBusStorage {
 public:
  // Loads the mirror (blocking, up to 30 s). Throws nats::NatsError.
  explicit KvSharedBusStore(cluster::Cluster& cluster);
  ~KvSharedBusStore() override;

  sharing::SharedBusSnapshot load(double now) override;
  void insert_bus(const sharing::BusRow& bus, const sharing::MembershipRow& owner) override;
  void archive_bus(std::string_view bus_id, double now) override;
  bool put_membership(const sharing::MembershipRow& membership) override;
  bool delete_membership(std::string_view bus_id, std::string_view username) override;
  void insert_invitation(const sharing::InvitationRow& invitation, double now) override;
  // Scans this node's mirror (memory) and purges each such key: one round
  // trip per invitation, once (the mirrors drop the key on its marker).
  void drop_invitations_expired_by(double cutoff) override;
  bool accept_invitation(std::string_view code_hash, const sharing::MembershipRow& membership,
                         double now) override;
  bool put_client_owner(const sharing::ClientOwnerRow& owner) override;
  void delete_client_owner(std::string_view bus_id, std::string_view client_uuid) override;

  // `listener()` is called after each change the mirror applies, on a nats.c
  // delivery thread: it must not block (post the work elsewhere). One
  // listener; once this returns, the one before is not running and never
  // called again.
  void on_changed(std::function<void()> listener);

  // The highest bucket revision this node's mirror has applied: at least
  // that of every write this node made.
  std::uint64_t revision() const;

 private:
  // Moves the bus key's owners: `username` in or out. false: no owner would
  // be left on a live bus. A missing bus key changes nothing (true).
  bool change_owners(std::string_view bus_id, std::string_view username, bool owner);
  // Waits until the mirror has applied `revision` (or 2 s passed).
  void await_mirror(std::uint64_t revision) const;
  // Waits until the mirror no longer has `key` (or 2 s passed): an erase
  // reports no revision, and a leader read of the bucket's last one would
  // cost a round trip more.
  void await_gone(const std::string& key) const;
  void note(const nats::KvEntry& entry);

  mutable nats::KvBucket bucket_;

  mutable std::mutex mutex_;  // guards applied_
  mutable std::condition_variable applied_changed_;
  std::uint64_t applied_ = 0;
  nats::ChangeListener<> listener_;

  std::unique_ptr<nats::KvMirror> mirror_;  // last: its callbacks use the above
};

// Bucket keys.
std::string bus_key(std::string_view bus_id);
std::string member_key(std::string_view bus_id, std::string_view username);
std::string invitation_key(std::string_view code_hash);
std::string client_key(std::string_view bus_id, std::string_view client_uuid);

}  // namespace blender_bus::sharing_kv
