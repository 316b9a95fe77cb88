#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "delivery/bus_journal.hpp"
#include "delivery/embedded/bus_manager.hpp"
#include "delivery/embedded/change_settlement.hpp"
#include "delivery/embedded/feed_registry.hpp"
#include "delivery/record_log.hpp"
#include "mcp/session_registry.hpp"

namespace blender_bus::delivery::embedded {

// The embedded RecordLog: each client's records in its Inbox, in its slot of
// its bus's client table (so a client's records go with its registration),
// seqs from one counter per bus, durable ones journaled (SPEC §9). An append
// that is not held wakes its readers inline on the appending thread: the
// streams of the targets' sessions (their StreamSignal) and the feeds open
// on the targets.
class InboxLog final : public RecordLog {
 public:
  // `journal` and `sessions` may be null (nothing durable; no session
  // streams to wake). All must outlive this.
  InboxLog(BusManager& buses, BusJournal* journal, mcp::SessionRegistry* sessions);

  std::unique_ptr<Append> append(const BusId& bus, AppendRequest request) override;
  FeedOpening open_feed(const BusId& bus, std::string_view client_uuid,
                        std::optional<std::uint64_t> after, FeedListener& listener) override;
  boost::asio::awaitable<RecordRead> read(const BusId& bus, std::string_view client_uuid,
                                          std::optional<std::uint64_t> after,
                                          std::size_t limit) override;
  std::optional<ResumeError> check_cursor(const BusId& bus, std::string_view client_uuid,
                                          std::uint64_t after) const override;
  void acknowledge(const BusId& bus, std::string_view client_uuid, std::uint64_t through) override;
  RecordCounts counts(const BusId& bus, std::string_view client_uuid) const override;
  RecordCounts bus_counts(const BusId& bus) const override;
  std::uint64_t last_seq(const BusId& bus) const override;
  void forget_client(const BusId& bus, std::string_view client_uuid) override;
  void purge_bus(const BusId& bus) override;

  // Delivered cursors of persistent clients moved: journaled lazily.
  void cursors_moved(std::string_view bus, const std::vector<CursorUpdate>& updates);

 private:
  class InboxFeed;
  // Wakes the readers of an outcome's records (they are visible now).
  void wake_readers(const BusId& bus, const Outcome& outcome);

  BusManager& buses_;
  BusJournal* journal_;
  mcp::SessionRegistry* sessions_;
  FeedRegistry feeds_;
  const RecordsVisible visible_;
};

}  // namespace blender_bus::delivery::embedded
