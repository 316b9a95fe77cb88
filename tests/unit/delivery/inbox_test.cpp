#include "delivery/embedded/inbox.hpp"

#include <gtest/gtest.h>

namespace blender_bus::delivery::embedded {
namespace {

InboxRecord rec(std::uint64_t seq, double ts = 100, std::size_t size = 10) {
  return InboxRecord{seq, bus::Priority::info, ts, std::make_shared<const std::string>(size, 'x')};
}

std::vector<std::uint64_t> seqs(const Inbox& inbox) {
  std::vector<std::uint64_t> out;
  for (const auto& r : inbox.records()) out.push_back(r.seq);
  return out;
}

TEST(Inbox, KeepsRecordsInSeqOrderAndCountsPending) {
  Inbox inbox;
  const InboxLimits limits;
  for (std::uint64_t s : {3, 5, 9}) EXPECT_EQ(inbox.append(rec(s), limits, 100), 0u);
  EXPECT_EQ(seqs(inbox), (std::vector<std::uint64_t>{3, 5, 9}));
  EXPECT_EQ(inbox.pending(), 3u);
  EXPECT_EQ(inbox.first_after(3)->seq, 5u);
  EXPECT_EQ(inbox.first_after(4)->seq, 5u);
  EXPECT_EQ(inbox.first_after(9), inbox.records().end());
  inbox.advance_delivered(5);
  EXPECT_EQ(inbox.pending(), 1u);
  inbox.advance_delivered(4);  // never backwards
  EXPECT_EQ(inbox.delivered_through(), 5u);
  inbox.set_delivered(3);  // a Last-Event-ID may rewind it
  EXPECT_EQ(inbox.pending(), 2u);
}

TEST(Inbox, CountBoundEvictsDeliveredFirstAndCountsUndeliveredAsDropped) {
  Inbox inbox;
  InboxLimits limits;
  limits.max_records = 3;
  for (std::uint64_t s = 1; s <= 3; ++s) inbox.append(rec(s), limits, 100);
  inbox.advance_delivered(2);
  EXPECT_EQ(inbox.append(rec(4), limits, 100), 0u);  // evicts 1 (delivered)
  EXPECT_EQ(inbox.append(rec(5), limits, 100), 0u);  // evicts 2 (delivered)
  EXPECT_EQ(inbox.dropped(), 0u);
  EXPECT_EQ(inbox.append(rec(6), limits, 100), 1u);  // evicts 3 (undelivered)
  EXPECT_EQ(inbox.dropped(), 1u);
  EXPECT_EQ(seqs(inbox), (std::vector<std::uint64_t>{4, 5, 6}));
  EXPECT_EQ(inbox.evicted_through(), 3u);
  EXPECT_EQ(inbox.first_seq(), 4u);
}

TEST(Inbox, ByteBoundKeepsMemoryBoundedButAlwaysTheNewest) {
  Inbox inbox;
  InboxLimits limits;
  limits.max_bytes = 25;
  inbox.append(rec(1, 100, 10), limits, 100);
  inbox.append(rec(2, 100, 10), limits, 100);
  EXPECT_EQ(inbox.append(rec(3, 100, 10), limits, 100), 1u);
  EXPECT_EQ(seqs(inbox), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(inbox.bytes(), 20u);
  EXPECT_EQ(inbox.append(rec(4, 100, 100), limits, 100), 2u);  // alone over the bound: kept
  EXPECT_EQ(seqs(inbox), (std::vector<std::uint64_t>{4}));
}

TEST(Inbox, AgeBoundExpiresOldRecords) {
  Inbox inbox;
  InboxLimits limits;
  limits.max_age_seconds = 10;
  inbox.append(rec(1, 100), limits, 100);
  inbox.append(rec(2, 105), limits, 105);
  EXPECT_EQ(inbox.expire(limits, 110), 0u);
  EXPECT_EQ(inbox.expire(limits, 111), 1u);
  EXPECT_EQ(seqs(inbox), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(inbox.append(rec(3, 120), limits, 120), 1u);
  EXPECT_EQ(seqs(inbox), (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(inbox.dropped(), 2u);
}

InboxRecord held(std::uint64_t seq, std::size_t size = 10) {
  InboxRecord r = rec(seq, 100, size);
  r.held = true;
  return r;
}

TEST(Inbox, HeldRecordsAreKeptInOrderAndTheFirstHeldIsKnown) {
  Inbox inbox;
  const InboxLimits limits;
  inbox.append(rec(1), limits, 100);
  inbox.append(held(2), limits, 100);
  inbox.append(held(4), limits, 100);
  inbox.append(rec(5), limits, 100);
  EXPECT_EQ(seqs(inbox), (std::vector<std::uint64_t>{1, 2, 4, 5}));
  EXPECT_EQ(inbox.first_held_after(0), 2u);
  EXPECT_EQ(inbox.first_held_after(2), 4u);
  EXPECT_EQ(inbox.first_held_after(4), 0u);
  EXPECT_TRUE(inbox.release(2));
  EXPECT_FALSE(inbox.records()[1].held);
  EXPECT_EQ(inbox.first_held_after(0), 4u);
  EXPECT_FALSE(inbox.release(2)) << "released once";
  EXPECT_FALSE(inbox.release(3)) << "no such record";
  EXPECT_TRUE(inbox.release(4));
  EXPECT_EQ(inbox.first_held_after(0), 0u);
  EXPECT_EQ(inbox.pending(), 4u);
}

TEST(Inbox, AWithdrawnRecordLeavesNoTraceNotEvenAsDropped) {
  Inbox inbox;
  const InboxLimits limits;
  inbox.append(rec(1, 100, 10), limits, 100);
  inbox.append(held(2, 20), limits, 100);
  inbox.append(rec(3, 100, 30), limits, 100);
  EXPECT_EQ(inbox.bytes(), 60u);
  EXPECT_TRUE(inbox.withdraw(2));
  EXPECT_EQ(seqs(inbox), (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(inbox.bytes(), 40u);
  EXPECT_EQ(inbox.first_held_after(0), 0u);
  EXPECT_EQ(inbox.dropped(), 0u);
  EXPECT_EQ(inbox.evicted_through(), 0u) << "a replay from before it is still complete";
  EXPECT_FALSE(inbox.withdraw(2));
}

TEST(Inbox, AnEvictedHeldRecordIsNoLongerHeld) {
  Inbox inbox;
  InboxLimits limits;
  limits.max_records = 1;
  inbox.append(held(1), limits, 100);
  EXPECT_EQ(inbox.append(rec(2), limits, 100), 1u);
  EXPECT_EQ(inbox.first_held_after(0), 0u);
  EXPECT_FALSE(inbox.release(1));
}

TEST(Inbox, TheOldestDeliveredRecordCanBeEvictedAlone) {
  Inbox inbox;
  const InboxLimits limits;
  inbox.append(rec(1, 100, 10), limits, 100);
  inbox.append(rec(2, 100, 20), limits, 100);
  EXPECT_EQ(inbox.delivered_front(), 0u) << "nothing delivered yet";
  inbox.advance_delivered(1);
  EXPECT_EQ(inbox.delivered_front(), 1u);
  EXPECT_EQ(inbox.evict_oldest(), 10u);
  EXPECT_EQ(inbox.delivered_front(), 0u);
  EXPECT_EQ(inbox.evicted_through(), 1u);
  EXPECT_EQ(inbox.dropped(), 0u);
  EXPECT_EQ(inbox.bytes(), 20u);
}

}  // namespace
}  // namespace blender_bus::delivery::embedded
