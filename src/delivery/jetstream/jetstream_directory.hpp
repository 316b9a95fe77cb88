#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bus/client_table.hpp"
#include "bus/clock.hpp"
#include "bus/limits.hpp"
#include "delivery/directory.hpp"
#include "delivery/jetstream/directory_values.hpp"
#include "delivery/record_log.hpp"
#include "nats/blocking_pool.hpp"
#include "nats/connection.hpp"
#include "nats/kv_bucket.hpp"
#include "nats/kv_mirror.hpp"
#include "nats/publisher.hpp"

namespace blender_bus::delivery::jetstream {

// Directory on NATS JetStream KV (cluster mode): clients in BUS_CLIENTS,
// presence in BUS_PRESENCE, jobs in BUS_JOBS (cluster_assets.hpp), each
// mirrored in memory on every node (nats::KvMirror: one ordered consumer per
// bucket per node, one message per change), so that resolve, snapshot and
// the job reads are synchronous and never wait on the network.
//
// Writes: a registration is a compare-and-set on the client's key (the
// revision it read, retried from a leader read on a conflict), answered once
// acked; so two nodes registering the same uuid at once both apply SPEC §4's
// in-place update, neither loses the other's. Presence and the unbinding of
// an ended holder's clients are async writes (nobody waits). A job's open
// and each update are one put each, settled by the ack. Every write is
// applied to this node's mirror when acked (read-your-write here); the
// others see it about a round trip later.
//
// Presence: a key per held client naming the node and holder. Online = a
// key exists and its node is alive (NodeLive: the node registry's
// heartbeats, dead after 30 s), so the clients of a node killed -9 go
// offline within 30 s with no write by anyone. A starting node deletes the
// keys that name it (left by its previous life).
//
// Where the port's synchronous reads meet the mirror's lag (sub-millisecond
// normally, ~5 s after a NATS server failure): a client registered a moment
// ago on another node may be missing from resolve() here, and a job opened
// a moment ago from job_originator().
//
// Jobs stay in the bucket after a terminal status (so blender_job_status
// answers on every node); the bucket's age limit removes them
// (AssetOptions::job_age).
class JetStreamDirectory : public Directory {
 public:
  struct Options {
    std::string node;  // this node's name (presence values)
    bus::Limits limits;
    double stale_after_seconds = 600;
    int conflict_attempts = 8;
    std::chrono::milliseconds load_wait{15000};
  };
  // Whether a node is alive (the node registry). Unset: every node is.
  using NodeLive = std::function<bool(std::string_view node)>;
  // A client's record counts for ClientInfo (the record log). Unset: zero.
  using CountsOf = std::function<RecordCounts(const BusId&, std::string_view client_uuid)>;

  // Subscribes the three mirrors and waits until they are loaded (blocking:
  // at start, not on an I/O thread). Throws nats::NatsError.
  JetStreamDirectory(nats::Connection& connection, nats::Publisher& publisher,
                     nats::BlockingPool& pool, bus::Clock clock, Options options,
                     NodeLive node_live = {}, CountsOf counts_of = {});
  ~JetStreamDirectory() override;

  boost::asio::awaitable<RegisterResult> register_client(const BusId& bus,
                                                         bus::Registration registration) override;
  boost::asio::awaitable<UnregisterResult> unregister_client(const BusId& bus,
                                                             std::string_view client_uuid) override;
  std::vector<Target> resolve(const BusId& bus, const bus::Routing& routing,
                              std::string_view origin) const override;
  bus::ClientSnapshot snapshot(const BusId& bus) const override;
  std::optional<bus::ClientInfo> find(const BusId& bus,
                                      std::string_view client_uuid) const override;
  std::vector<std::string> clients_of(const BusId& bus, std::string_view holder) const override;
  std::vector<std::string> end_holder(const BusId& bus, std::string_view holder) override;

  void hold(const BusId& bus, std::string_view client_uuid, std::string_view holder) override;
  void release(const BusId& bus, std::string_view client_uuid, std::string_view holder) override;
  bool online(const BusId& bus, std::string_view client_uuid) const override;
  std::unordered_map<std::string, std::string> feed_nodes(const BusId& bus) const override;
  std::optional<std::string> node() const override { return options_.node; }

  std::unique_ptr<Settlement> open_job(const BusId& bus, std::string_view job_id,
                                       std::string_view originator, std::string_view target,
                                       double now) override;
  std::optional<std::string> job_originator(const BusId& bus,
                                            std::string_view job_id) const override;
  std::unique_ptr<Settlement> correlate_job(const BusId& bus, const bus::JobUpdate& update,
                                            double now) override;
  std::optional<bus::JobState> job_state(const BusId& bus, std::string_view job_id) const override;
  std::size_t open_job_count(const BusId& bus) const override;
  std::vector<bus::JobState> latest_jobs(const BusId& bus, std::size_t limit) const override;

  std::vector<BusId> bus_ids() const override;
  void purge_bus(const BusId& bus) override;

 private:
  struct Revision {
    std::uint64_t value = 0;
  };
  using Clients = bus::ClientTable<Revision>;
  struct Presence {
    PresenceValue value;
    std::uint64_t revision = 0;
  };
  struct Job {
    bus::JobState state;
    std::uint64_t revision = 0;
  };

  // Mirror changes (a delivery-pool thread) and acked writes (a nats.c or
  // Publisher thread); each applies only what is newer than what it has.
  void on_client_change(const nats::KvEntry& entry);
  void on_clients_loaded();
  void on_presence_change(const nats::KvEntry& entry);
  void on_job_change(const nats::KvEntry& entry);
  void apply_client(const BusId& bus, bus::ClientInfo info, std::uint64_t revision);
  void apply_client_gone(const BusId& bus, std::string_view uuid, std::uint64_t revision);
  void apply_job(const BusId& bus, bus::JobState job, std::uint64_t revision);
  // This node deleted the client's key at `revision`.
  void forget_client_locally(const BusId& bus, std::string_view uuid, std::uint64_t revision);

  // With the lock held (shared is enough).
  bool online_locked(const std::string& key) const;
  bus::ClientInfo with_liveness_locked(const BusId& bus, const bus::ClientInfo& info,
                                       double now) const;

  // A write nobody waits for: `expected` makes it conditional (a conflict
  // means another node wrote since, and wins). `operation`: "" (a put),
  // "DEL" or "PURGE".
  void write_later(const std::string& bucket, const std::string& key, std::string value,
                   std::optional<std::uint64_t> expected, std::string_view operation,
                   std::function<void(const nats::PublishResult&)> on_result = {});
  std::unique_ptr<Settlement> job_write(const BusId& bus, bus::JobState job);

  nats::Connection& connection_;
  nats::Publisher& publisher_;
  nats::BlockingPool& pool_;
  bus::Clock clock_;
  Options options_;
  NodeLive node_live_;
  CountsOf counts_of_;
  nats::KvBucket clients_bucket_;

  mutable std::shared_mutex mutex_;  // guards the tables below
  std::unordered_map<BusId, Clients> clients_;
  // Client keys this node deleted, with the delete's revision, until the
  // mirror delivers that delete: an older put arriving late must not bring
  // the client back.
  std::unordered_map<std::string, std::uint64_t> client_tombstones_;
  std::unordered_map<std::string, Presence> presence_;  // by item key
  std::unordered_map<BusId, std::unordered_map<std::string, Job>> jobs_;
  // The clients' initial load, applied in first-registration order once complete.
  std::vector<nats::KvEntry> loading_;
  bool clients_loaded_ = false;

  // Last: their callbacks use everything above.
  std::unique_ptr<nats::KvMirror> clients_mirror_;
  std::unique_ptr<nats::KvMirror> presence_mirror_;
  std::unique_ptr<nats::KvMirror> jobs_mirror_;
};

}  // namespace blender_bus::delivery::jetstream
