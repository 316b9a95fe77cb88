#pragma once

#include <memory>
#include <string>

#include "cluster/cluster_options.hpp"
#include "cluster/cluster_status.hpp"
#include "cluster/node_registry.hpp"
#include "nats/blocking_pool.hpp"
#include "nats/connection.hpp"
#include "nats/kv_bucket.hpp"
#include "nats/publisher.hpp"

namespace blender_bus::cluster {

// A node's (or a command-line tool's) membership of a cluster: the one NATS
// connection, its JetStream publisher and blocking pool, the streams and
// buckets provisioned, and, for a node, its entry in the node registry. The
// composition root owns it and hands it to the engines that run on the
// cluster (the auth stores, the JetStream delivery engine); they share its
// connection rather than each opening one.
//
// The process's nats::Library must outlive it.
class Cluster {
 public:
  // Connects (waiting up to options.connect_wait for a first server), then
  // creates or checks every asset (options.streams and buckets, with
  // options.replicas, plus the node registry's bucket), then, when
  // options.node_name is set, joins the node registry. Blocking. Throws
  // ClusterStartError saying what is wrong and what to change.
  explicit Cluster(ClusterOptions options, Provisioning provisioning = Provisioning::ensure);
  // Leaves the registry, then drains the publisher (up to 5 s) and closes.
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const ClusterOptions& options() const { return options_; }
  const std::string& node_name() const { return options_.node_name; }
  nats::Connection& connection() { return *connection_; }
  nats::Publisher& publisher() { return *publisher_; }
  nats::BlockingPool& pool() { return *pool_; }
  // Reads and writes of one bucket (cheap: references and an id source).
  nats::KvBucket bucket(std::string name) {
    return nats::KvBucket(*connection_, *publisher_, *pool_, std::move(name));
  }
  // The node registry; throws std::logic_error for a tool (no node name).
  NodeRegistry& nodes();

  ClusterStatus status() const;

 private:
  void provision(Provisioning provisioning);

  ClusterOptions options_;
  std::unique_ptr<nats::Connection> connection_;
  std::unique_ptr<nats::BlockingPool> pool_;
  std::unique_ptr<nats::Publisher> publisher_;
  std::unique_ptr<NodeRegistry> nodes_;
};

// "nats://a:4222,nats://b:4222" (a flag's value, or several) as URLs; a URL
// without a scheme gets nats://. Throws std::invalid_argument for an empty
// list or an entry that is not nats://HOST:PORT (or tls://).
std::vector<std::string> parse_server_urls(const std::vector<std::string>& values);

// Why a node name is unusable (empty, over 64 bytes, a byte outside
// [A-Za-z0-9._-]); nullopt when it is fine.
std::optional<std::string> node_name_problem(std::string_view name);

}  // namespace blender_bus::cluster
