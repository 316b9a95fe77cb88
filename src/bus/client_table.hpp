#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bus/client_info.hpp"
#include "bus/routing.hpp"

namespace blender_bus::bus {

// Position of a client in every recipient list; fixed at first registration.
struct ClientOrder {
  bool ephemeral = false;
  std::uint64_t seq = 0;
  auto operator<=>(const ClientOrder&) const = default;
};

// One user's clients (SPEC §4), indexed by uuid (a hash map) and by group_id,
// client_type and session (ordered maps), so that a direct send is O(1) and
// a group or type send touches only its members. Every list is in one stable
// order: persistent before ephemeral, each in first-registration order.
//
// `Entry` is what the delivery engine keeps beside each client's ClientInfo
// (the embedded engine: its inbox; a mirror of a shared directory: nothing).
// Not thread-safe: its owner's lock guards it. Slots stay where they are
// until erased (node-based map), so the indexes hold pointers: a slot found
// through an index needs no second lookup (with 10,000 clients each lookup
// is cache misses).
template <class Entry>
class ClientTable {
 public:
  struct Slot {
    ClientInfo info;
    ClientOrder order;
    Entry entry{};
  };
  using Ordered = std::map<ClientOrder, Slot*>;

  Slot* find(std::string_view uuid) {
    auto it = slots_.find(uuid);
    return it == slots_.end() ? nullptr : &it->second;
  }
  const Slot* find(std::string_view uuid) const {
    auto it = slots_.find(uuid);
    return it == slots_.end() ? nullptr : &it->second;
  }
  bool contains(std::string_view uuid) const { return slots_.find(uuid) != slots_.end(); }

  // Adds a client whose uuid is not here yet, last in its bucket.
  Slot& insert(ClientInfo info, Entry entry = {}) {
    std::string uuid = info.uuid;
    const ClientOrder order{!info.is_persistent, next_order_++};
    Slot& slot = slots_.emplace(std::move(uuid), Slot{std::move(info), order, std::move(entry)})
                     .first->second;
    ordered_.emplace(slot.order, &slot);
    index(slot);
    if (slot.info.is_persistent) ++persistent_count_;
    return slot;
  }

  // Changes the indexed fields of a client (group, type, session) through
  // `change(ClientInfo&)`, keeping the indexes in step. uuid, bucket and
  // order never change.
  template <class Change>
  void update(Slot& slot, Change&& change) {
    unindex(slot);
    change(slot.info);
    index(slot);
  }

  void erase(Slot& slot) {
    unindex(slot);
    ordered_.erase(slot.order);
    if (slot.info.is_persistent) --persistent_count_;
    slots_.erase(slots_.find(slot.info.uuid));
  }

  // The clients a routing reaches, in bus order: direct (the one uuid),
  // group and type (their members, the origin included), broadcast (every
  // client but the origin).
  std::vector<const Slot*> resolve(const Routing& routing, std::string_view origin) const {
    std::vector<const Slot*> out;
    auto add_all = [&out](const Ordered& members) {
      out.reserve(members.size());
      for (const auto& [order, slot] : members) out.push_back(slot);
    };
    switch (routing.mode) {
      case RoutingMode::direct:
        if (const Slot* slot = find(routing.key)) out.push_back(slot);
        break;
      case RoutingMode::group:
        if (auto it = by_group_.find(routing.key); it != by_group_.end()) add_all(it->second);
        break;
      case RoutingMode::type_filter:
        if (auto it = by_type_.find(routing.key); it != by_type_.end()) add_all(it->second);
        break;
      case RoutingMode::broadcast:
        out.reserve(ordered_.size());
        for (const auto& [order, slot] : ordered_) {
          if (slot->info.uuid != origin) out.push_back(slot);
        }
        break;
    }
    return out;
  }

  // Every client, in bus order.
  const Ordered& ordered() const { return ordered_; }
  // The clients bound to a session, in bus order; null when none.
  const Ordered* of_session(std::string_view session_id) const {
    auto it = by_session_.find(session_id);
    return it == by_session_.end() ? nullptr : &it->second;
  }

  std::size_t size() const { return slots_.size(); }
  std::size_t persistent_count() const { return persistent_count_; }

  // Every slot, in no particular order (cheaper than ordered()).
  template <class F>
  void for_each(F&& f) {
    for (auto& [uuid, slot] : slots_) f(slot);
  }
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [uuid, slot] : slots_) f(slot);
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using StringMap = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

  static void index_add(StringMap<Ordered>& index, const std::string& key, Slot& slot) {
    auto it = index.find(key);
    if (it == index.end()) it = index.emplace(key, Ordered{}).first;
    it->second.emplace(slot.order, &slot);
  }
  // Drops the entry and the whole bucket once empty, so indexes do not keep
  // every group, type or session ever seen.
  static void index_remove(StringMap<Ordered>& index, const std::string& key, const Slot& slot) {
    auto it = index.find(key);
    if (it == index.end()) return;
    it->second.erase(slot.order);
    if (it->second.empty()) index.erase(it);
  }
  void index(Slot& slot) {
    if (slot.info.group_id) index_add(by_group_, *slot.info.group_id, slot);
    index_add(by_type_, slot.info.client_type, slot);
    if (!slot.info.session_id.empty()) index_add(by_session_, slot.info.session_id, slot);
  }
  void unindex(const Slot& slot) {
    if (slot.info.group_id) index_remove(by_group_, *slot.info.group_id, slot);
    index_remove(by_type_, slot.info.client_type, slot);
    if (!slot.info.session_id.empty()) index_remove(by_session_, slot.info.session_id, slot);
  }

  StringMap<Slot> slots_;  // by uuid
  Ordered ordered_;        // every client: persistent first, then ephemeral
  StringMap<Ordered> by_group_;
  StringMap<Ordered> by_type_;
  StringMap<Ordered> by_session_;
  std::size_t persistent_count_ = 0;
  std::uint64_t next_order_ = 0;
};

}  // namespace blender_bus::bus
