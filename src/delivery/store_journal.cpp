#include "delivery/store_journal.hpp"

#include <algorithm>

namespace blender_bus::delivery {

using Kind = store::BusMutation::Kind;

std::uint64_t StoreJournal::record(std::string_view user_id,
                                   const delivery::embedded::Outcome& outcome) {
  std::vector<store::BusMutation> batch;
  bool durable = false;
  if (outcome.client && outcome.client->is_persistent) {
    store::BusMutation m;
    m.kind = Kind::upsert_client;
    const bus::ClientInfo& c = *outcome.client;
    m.client = store::BusClientRow{std::string(user_id),
                                   c.uuid,
                                   c.client_type,
                                   c.capabilities,
                                   c.group_id,
                                   c.connected_at,
                                   c.last_seen,
                                   0,
                                   0,
                                   c.label};
    batch.push_back(std::move(m));
    durable = true;
  }
  if (outcome.removed_client) {
    store::BusMutation m;
    m.kind = Kind::delete_client;
    m.user_id = std::string(user_id);
    m.uuid = *outcome.removed_client;
    batch.push_back(std::move(m));
    durable = true;
  }
  std::uint64_t last_seq = 0;
  for (const auto& d : outcome.deliveries) {
    last_seq = std::max(last_seq, d.seq);
    if (!d.persistent) continue;
    store::BusMutation m;
    m.kind = Kind::append_record;
    m.record = store::BusRecordRow{std::string(user_id),      d.target_uuid, d.seq,
                                   static_cast<int>(d.level), d.timestamp,   d.text};
    m.retained_from = d.retained_from;
    batch.push_back(std::move(m));
    durable = true;
  }
  // Every seq issued moves the user's sequence, so ids never repeat after a
  // restart. It is written every kSequenceStride ids, not with every record:
  // a row per batch was one more page per commit, and the restore takes the
  // highest stored record into account anyway.
  if (last_seq > 0) {
    bool due = false;
    {
      std::lock_guard lock(mutex_);
      // The first id since start is written at once, then every stride.
      auto [it, first] = journaled_sequence_.try_emplace(std::string(user_id), last_seq);
      if (first || last_seq >= it->second + kSequenceStride) {
        it->second = last_seq;
        due = true;
      }
    }
    if (due) {
      store::BusMutation m;
      m.kind = Kind::sequence;
      m.user_id = std::string(user_id);
      m.seq = last_seq;
      batch.push_back(std::move(m));
    }
  }
  for (const auto& job : outcome.jobs) {
    store::BusMutation m;
    m.kind = job.originator ? Kind::open_job : Kind::close_job;
    m.job = store::BusJobRow{std::string(user_id), job.job_id, job.originator.value_or("")};
    batch.push_back(std::move(m));
    durable = true;
  }
  if (batch.empty()) return 0;
  // A durable ticket is awaited, and its waiter requests the commit; the
  // rest (a sequence) may lag.
  if (!durable) {
    commit_.submit_later(std::move(batch));
    return 0;
  }
  return commit_.submit(std::move(batch));
}

void StoreJournal::record_cursors(std::string_view user_id,
                                  const std::vector<delivery::embedded::CursorUpdate>& updates) {
  std::vector<store::BusMutation> batch;
  batch.reserve(updates.size());
  for (const auto& u : updates) {
    store::BusMutation m;
    m.kind = Kind::move_cursor;
    m.user_id = std::string(user_id);
    m.uuid = u.client_uuid;
    m.delivered = u.delivered;
    m.retained_from = u.retained_from;
    m.exact = u.exact;
    batch.push_back(std::move(m));
  }
  // Lagging cursors mean a record delivered again after a crash, never one
  // lost: they go with a later commit.
  if (!batch.empty()) commit_.submit_later(std::move(batch));
}

void StoreJournal::forget_user(std::string_view user_id) {
  {
    std::lock_guard lock(mutex_);
    journaled_sequence_.erase(std::string(user_id));
  }
  store::BusMutation m;
  m.kind = Kind::purge_user;
  m.user_id = std::string(user_id);
  std::vector<store::BusMutation> batch;
  batch.push_back(std::move(m));
  // With the writes nobody awaits, behind every earlier one of them; flush()
  // commits it and everything before it.
  commit_.submit_later(std::move(batch));
  commit_.flush();
}

void StoreJournal::when_durable(std::uint64_t ticket, std::function<void(bool)> done) {
  commit_.when_committed(ticket, std::move(done));
}

}  // namespace blender_bus::delivery
