#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/priority.hpp"
#include "delivery/bus_id.hpp"
#include "delivery/feed.hpp"
#include "delivery/settlement.hpp"

namespace blender_bus::delivery {

// One record to append for one client: the send built its text once
// (bus::ForwardedRecord); every target shares the bytes.
struct OutgoingRecord {
  std::string client_uuid;
  bool persistent = false;  // the client survives a restart, so must its record
  bus::Priority level = bus::Priority::info;
  std::shared_ptr<const std::string> text;  // the serialized notifications/message
  double timestamp = 0;                     // Unix seconds (the inbox's age bound)
};

// One append: the records of one send or job update.
struct AppendRequest {
  // The operation's id (the record's message_id): with the client it names
  // a record uniquely, so a networked log can drop a retried publish.
  std::string message_id;
  std::vector<OutgoingRecord> records;
  // Nothing of it may reach a reader before settled() returns true, even the
  // records the engine would show at once (records for clients that are not
  // persistent): the operation has another change that must settle first
  // (a job it opens or closes), and a failed operation reaches nobody.
  bool hold = false;
};

// An append started (RecordLog::append). Records for one client keep the
// order of their appends. settled() false: nothing of it was delivered.
class Append : public Settlement {
 public:
  // The log refused the whole append before writing anything (a bound that
  // refuses rather than evicts: the bus's inbox quota); settled() is then
  // false at once. The text says which bound, for the tool's error result.
  virtual const std::optional<std::string>& refusal() const = 0;
  // After settled() returned true: each record's seq, in the order given;
  // 0 for a record whose client had left (nothing was appended for it).
  virtual const std::vector<std::uint64_t>& seqs() const = 0;
};

// A Last-Event-ID (or a read's cursor) the log cannot resume from (SPEC §9,
// README): never issued on this bus, or records after it were evicted.
// Both answer 400 on the wire.
enum class ResumeError { not_issued, not_retained };

// RecordLog::open_feed's answer: the feed, or why it could not start.
struct FeedOpening {
  std::unique_ptr<Feed> feed;  // null exactly when `error` or `unknown_client`
  std::optional<ResumeError> error;
  bool unknown_client = false;
};

// A one-shot read (blender_receive_messages).
struct RecordRead {
  bool found = false;  // the client exists on the bus
  std::vector<LoggedRecord> records;
  std::uint64_t next = 0;  // the cursor to pass as `after` next time
};

// A client's counts, for ClientInfo (SPEC §9's beyond fields). A networked
// log may answer from a mirror a moment old.
struct RecordCounts {
  std::size_t pending = 0;    // appended, not yet delivered
  std::uint64_t dropped = 0;  // evicted undelivered, over the client's life
};

// Port 1 of the delivery engine: per-client ordered records on a bus.
//
// Seqs are strictly increasing per client and, within one bus, comparable
// across clients (embedded: one counter per bus; JetStream: the one stream's
// sequence), so a reader merging several clients has one position, the SSE
// event id. A seq is never issued twice on a bus, across restarts too.
// Bounds (records, bytes, age per client) evict the oldest records first;
// what they evict undelivered is counted as dropped, never silently lost.
// Thread-safe; no call blocks on I/O.
class RecordLog {
 public:
  virtual ~RecordLog() = default;

  // Starts appending `request`'s records to their clients on `bus`. Cheap
  // and non-blocking: the records are in order from here on; they reach
  // feeds at once unless held (AppendRequest::hold, or the engine holds
  // them until stored), and never if settled() turns out false.
  virtual std::unique_ptr<Append> append(const BusId& bus, AppendRequest request) = 0;

  // The live view of `client_uuid`'s records after `after` (nullopt: after
  // its delivered cursor). `listener` must outlive the feed.
  virtual FeedOpening open_feed(const BusId& bus, std::string_view client_uuid,
                                std::optional<std::uint64_t> after, FeedListener& listener) = 0;

  // Up to `limit` of the client's records after `after` (nullopt: after its
  // delivered cursor). `after` acknowledges what it covers.
  virtual boost::asio::awaitable<RecordRead> read(const BusId& bus, std::string_view client_uuid,
                                                  std::optional<std::uint64_t> after,
                                                  std::size_t limit) = 0;

  // Checks a cursor for resuming the client from it, without moving anything.
  virtual std::optional<ResumeError> check_cursor(const BusId& bus, std::string_view client_uuid,
                                                  std::uint64_t after) const = 0;

  // The client's reader has every record through `through` (forward only;
  // stored lazily: after a crash a record may come again, never go missing).
  virtual void acknowledge(const BusId& bus, std::string_view client_uuid,
                           std::uint64_t through) = 0;

  virtual RecordCounts counts(const BusId& bus, std::string_view client_uuid) const = 0;
  // The same summed over every client of the bus, and over clients gone
  // since (dropped only).
  virtual RecordCounts bus_counts(const BusId& bus) const = 0;
  // The highest seq issued on the bus (0: none).
  virtual std::uint64_t last_seq(const BusId& bus) const = 0;

  // The client left the bus: its records go (and its open feeds end empty).
  virtual void forget_client(const BusId& bus, std::string_view client_uuid) = 0;
  // The bus is gone (its user was deleted): every record, cursor and seq of
  // it goes, so a namesake starts empty. May block until that is stored:
  // never call it on an I/O thread.
  virtual void purge_bus(const BusId& bus) = 0;
};

}  // namespace blender_bus::delivery
