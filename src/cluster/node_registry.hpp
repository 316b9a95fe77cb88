#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "nats/connection.hpp"
#include "nats/kv_bucket.hpp"
#include "nats/kv_mirror.hpp"

namespace blender_bus::cluster {

// The bucket of node heartbeats: key = the node name's subject token, value
// {"node","instance","started","heartbeat_ms"}. Its one-hour TTL only clears
// nodes gone for good (2.9 expires keys silently, so it cannot tell death).
inline constexpr const char* kNodesBucket = "BUS_NODES";

// A node as this node sees it.
struct NodeInfo {
  std::string name;
  bool live = false;
  // Since this node last heard from it (by this node's monotonic clock).
  std::chrono::milliseconds silent_for{0};
  double started_at = 0;  // Unix seconds, as that node wrote it
};

struct NodeEvent {
  enum class Kind {
    joined,  // heard from (again) after being unknown or dead
    died,    // silent for dead_after, or left (its key deleted on a clean stop)
  };
  Kind kind = Kind::joined;
  std::string name;
};

// Which nodes are alive: every node writes its key every heartbeat interval
// and mirrors the bucket; a node not heard from for `dead_after` is dead.
// "Heard" is judged by each watcher's own monotonic clock when the change
// arrives, so no clocks need to agree. Budget for dead_after = 30 s: a 5-s
// heartbeat, a 4-9-s RAFT election of the bucket's leader and a ~5-s blind
// mirror after a NATS server failure (nats.md §5) all fit.
//
// Cost: one KV put per node per interval (O(nodes), not O(clients)), one
// mirror message per put on every node.
//
// A clean stop deletes the node's key, so the others learn it left at once.
// Threads: its own (heartbeats and the sweep that finds the dead, once a
// second), nats.c's delivery pool (the mirror).
class NodeRegistry {
 public:
  using Listener = std::function<void(const NodeEvent&)>;

  // Loads the bucket's mirror (blocking) and writes the first heartbeat.
  // Throws NatsError.
  NodeRegistry(nats::Connection& connection, nats::Publisher& publisher, nats::BlockingPool& pool,
               std::string self, std::chrono::milliseconds heartbeat_interval,
               std::chrono::milliseconds dead_after);
  // Stops the heartbeats and deletes this node's key (waiting up to 2 s).
  ~NodeRegistry();
  NodeRegistry(const NodeRegistry&) = delete;
  NodeRegistry& operator=(const NodeRegistry&) = delete;

  const std::string& self() const { return self_; }
  bool is_live(std::string_view node) const;
  // Every node known, by name.
  std::vector<NodeInfo> nodes() const;
  std::vector<std::string> live_nodes() const;

  // Listeners hear of joins and deaths from then on, on the registry's
  // thread, in order; they must not block for long. Register at start-up.
  void on_change(Listener listener);

  // Whether this node's last heartbeat was stored (acked by JetStream) within
  // two intervals; the error of the last failed one otherwise.
  bool heartbeat_ok() const;
  std::string heartbeat_error() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Known {
    Clock::time_point heard;
    double started_at = 0;
    bool live = false;
    bool left = false;  // its key was deleted
  };

  void note(const nats::KvEntry& entry);
  void beat();
  void sweep();
  void run();
  void notify(const std::vector<NodeEvent>& events);

  nats::Publisher& publisher_;
  nats::KvBucket bucket_;
  std::string self_;
  std::string key_;
  std::string value_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds dead_after_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::map<std::string, Known, std::less<>> known_;
  std::vector<NodeEvent> pending_events_;  // from the mirror, told by the sweep
  std::vector<Listener> listeners_;
  std::optional<Clock::time_point> last_ack_;
  std::string last_error_;
  bool stopping_ = false;
  int beats_in_flight_ = 0;
  std::atomic<bool> initial_load_done_{false};

  std::unique_ptr<nats::KvMirror> mirror_;
  std::thread thread_;
};

}  // namespace blender_bus::cluster
