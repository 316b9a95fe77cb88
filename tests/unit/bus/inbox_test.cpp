#include "bus/inbox.hpp"

#include <gtest/gtest.h>

namespace blender_bus::bus {
namespace {

InboxRecord rec(std::uint64_t seq, double ts = 100, std::size_t size = 10) {
  return InboxRecord{seq, Priority::info, ts, std::make_shared<const std::string>(size, 'x')};
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

}  // namespace
}  // namespace blender_bus::bus
