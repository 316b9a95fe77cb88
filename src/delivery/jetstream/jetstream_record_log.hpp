#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "delivery/jetstream/client_feed.hpp"
#include "delivery/record_log.hpp"
#include "nats/blocking_pool.hpp"
#include "nats/connection.hpp"
#include "nats/kv_bucket.hpp"
#include "nats/kv_mirror.hpp"
#include "nats/publisher.hpp"
#include "nats/stream_admin.hpp"
#include "nats/stream_reader.hpp"

namespace blender_bus::delivery::jetstream {

// RecordLog on NATS JetStream (cluster mode): every bus's records in the one
// stream BUS_RECORDS, a subject per client (cluster_assets.hpp); a record's
// seq is its stream sequence, so it is monotonic per client across nodes and
// comparable across a bus's clients.
//
// Costs: append = one pipelined JetStream publish per target (Publisher;
// retried through a leader election with the same Nats-Msg-Id, so stored
// once); no read-modify-write of shared state, no consumer per client. A
// held feed = one core subscription (ClientFeed) plus, at open, one leader
// read and one direct get per backlog record. Cursors: at most one async KV
// put per client per flush period. A maintenance thread reads the stream's
// state once per poll period (one request) for last_seq / check_cursor, and
// the subject counts of buses whose counts were asked for (one request per
// bus).
//
// Where JetStream differs from the embedded log (the port allows it):
// - settled() is the acks: records reach feeds about when they are acked,
//   asynchronously (the republished copy), not inline. A held append
//   (AppendRequest::hold) publishes when settled() is awaited, so a
//   withdrawn one reaches nobody; an append that is not held cannot be
//   withdrawn once stored (2.9 has no atomic multi-subject publish). A
//   failed append is one whose publishes failed past the Publisher's
//   deadline (the cluster unreachable ~15 s); records of it stored by then
//   stay.
// - counts(): how many of a client's retained records are after its cursor
//   is not known without reading them; pending is the subject's retained
//   count (delivered ones included) as of the last poll.
//   dropped = 0: the stream's per-subject limit evicts silently.
// - check_cursor(): not_issued compares with the stream's last sequence as of
//   the last poll or append, and on a miss rereads it from the leader (one
//   blocking request: a resume on the node a client moved to); not_retained is
//   never answered (evictions are not reported): a resume from an evicted
//   range gets the records still retained.
class JetStreamRecordLog : public RecordLog {
 public:
  struct Options {
    std::chrono::milliseconds cursor_flush{1000};
    std::chrono::milliseconds poll{1000};
    // Every held feed rereads the subject's last sequence this often, for a
    // republish lost with nothing after it; young feeds once after a second
    // (the subscription's interest reaching every server of the cluster).
    std::chrono::milliseconds sweep{60000};
  };
  // Whether a client exists on a bus (the directory's mirror); unset: every
  // uuid is treated as known.
  using ClientKnown = std::function<bool(const BusId&, std::string_view)>;

  // Subscribes the cursor mirror (a request: call at start, not on an I/O
  // thread). The stream and the cursor bucket must exist (cluster_assets).
  JetStreamRecordLog(nats::Connection& connection, nats::Publisher& publisher,
                     nats::BlockingPool& pool, ClientKnown client_known = {});
  JetStreamRecordLog(nats::Connection& connection, nats::Publisher& publisher,
                     nats::BlockingPool& pool, ClientKnown client_known, Options options);
  // Flushes the cursors; every feed must be gone.
  ~JetStreamRecordLog() override;

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

  // Rereads the stream's last sequence now (blocking: a pool thread).
  void refresh_last_seq();
  // The client's delivered cursor as this node knows it (0: none).
  std::uint64_t cursor(const BusId& bus, std::string_view client_uuid) const;
  // Cursors acknowledged here and not yet written go out now (async puts).
  void flush_cursors();
  // Held feeds, for tests and metrics.
  std::size_t feed_count() const;

 private:
  struct HeldFeed {
    std::weak_ptr<ClientFeed> feed;
    std::chrono::steady_clock::time_point opened;
    bool young = true;
  };

  void note_seq(std::uint64_t seq) const;
  void run_maintenance();
  void catch_up_feeds(bool all);
  void drop_feed(const ClientFeed* feed);

  friend class JetStreamFeed;

  nats::Connection& connection_;
  nats::Publisher& publisher_;
  nats::BlockingPool& pool_;
  ClientKnown client_known_;
  Options options_;
  nats::StreamReader reader_;
  mutable nats::StreamAdmin admin_;  // check_cursor's miss path reads the leader
  nats::KvBucket cursors_;
  std::unique_ptr<nats::KvMirror> cursor_mirror_;
  nats::Connection::ListenerId connection_listener_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  mutable std::atomic<std::uint64_t> last_seq_{0};
  // Acknowledged here: key -> seq; dirty ones wait for the flush.
  std::unordered_map<std::string, std::uint64_t> acknowledged_;
  std::unordered_map<std::string, std::uint64_t> dirty_;
  // Buses whose counts were asked for, and the counts of their subjects.
  mutable std::unordered_map<BusId, std::chrono::steady_clock::time_point> counted_buses_;
  std::unordered_map<BusId, std::map<std::string, std::uint64_t>> subject_counts_;
  std::unordered_map<const ClientFeed*, HeldFeed> feeds_;
  bool catch_up_all_ = false;  // a reconnect: every feed rereads
  bool stopping_ = false;
  std::thread maintenance_;
};

}  // namespace blender_bus::delivery::jetstream
