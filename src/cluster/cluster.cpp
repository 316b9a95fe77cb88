#include "cluster/cluster.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "cluster/cluster_start_error.hpp"
#include "nats/nats_error.hpp"
#include "nats/provision_error.hpp"
#include "nats/provisioner.hpp"
#include "nats/transient.hpp"

namespace blender_bus::cluster {

namespace {

using namespace std::chrono_literals;

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  const auto tenths = ms.count() / 100;
  return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") +
         " s";
}

// Whether the stream exists (a leader request; transient failures retried).
bool stream_exists(nats::Connection& connection, const std::string& name,
                   std::chrono::steady_clock::time_point deadline) {
  return nats::retry_transient(deadline, [&] {
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus status =
        js_GetStreamInfo(&info, connection.jetstream(), name.c_str(), nullptr, &code);
    if (status == NATS_NOT_FOUND || code == JSStreamNotFoundErr) {
      nats::clear_last_error();
      return false;
    }
    nats::check(status, "reading stream " + name, code);
    jsStreamInfo_Destroy(info);
    return true;
  });
}

std::string action_text(const nats::Provisioner::Outcome& outcome) {
  switch (outcome.action) {
    case nats::Provisioner::Outcome::Action::created:
      return "created";
    case nats::Provisioner::Outcome::Action::updated: {
      std::string changes;
      for (const auto& change : outcome.changes) changes += (changes.empty() ? "" : "; ") + change;
      return "updated (" + changes + ")";
    }
    case nats::Provisioner::Outcome::Action::unchanged:
      break;
  }
  return "as wanted";
}

}  // namespace

std::vector<std::string> parse_server_urls(const std::vector<std::string>& values) {
  std::vector<std::string> urls;
  for (const std::string& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t comma = std::min(value.find(',', start), value.size());
      std::string url = value.substr(start, comma - start);
      start = comma + 1;
      if (url.empty()) continue;
      if (url.find("://") == std::string::npos) url = "nats://" + url;
      const std::size_t scheme = url.find("://");
      const std::string name = url.substr(0, scheme);
      const std::string rest = url.substr(scheme + 3);
      const std::size_t colon = rest.rfind(':');
      const bool has_port = colon != std::string::npos && colon + 1 < rest.size() &&
                            rest.find_first_not_of("0123456789", colon + 1) == std::string::npos;
      if ((name != "nats" && name != "tls") || !has_port || colon == 0 ||
          rest.find_first_of("/ ") != std::string::npos) {
        throw std::invalid_argument("'" + url +
                                    "' is not a NATS server URL (nats://HOST:PORT, e.g. "
                                    "nats://127.0.0.1:4222)");
      }
      urls.push_back(std::move(url));
    }
  }
  if (urls.empty()) throw std::invalid_argument("no NATS server URL given");
  return urls;
}

std::optional<std::string> node_name_problem(std::string_view name) {
  if (name.empty()) return "a node name is needed (--node-name NAME, unique in the cluster)";
  if (name.size() > 64) return "a node name has at most 64 bytes";
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return "a node name is made of A-Z, a-z, 0-9, '.', '_' and '-'";
  }
  return std::nullopt;
}

Cluster::Cluster(ClusterOptions options, Provisioning provisioning) : options_(std::move(options)) {
  nats::ConnectionOptions connection_options;
  connection_options.servers = options_.servers;
  connection_options.name =
      options_.node_name.empty() ? "blender-bus" : "blender-bus " + options_.node_name;
  try {
    connection_ = std::make_unique<nats::Connection>(connection_options);
  } catch (const nats::NatsError& error) {
    throw ClusterStartError(std::string("cannot connect to NATS: ") + error.what());
  }
  if (!connection_->wait_connected(options_.connect_wait)) {
    throw ClusterStartError("no NATS server answered at " + joined(options_.servers) + " within " +
                            seconds_text(options_.connect_wait) +
                            " (is nats-server running, with JetStream (-js)? --cluster-wait "
                            "waits longer)");
  }
  spdlog::info("cluster: connected to NATS at {}", connection_->connected_url());
  pool_ = std::make_unique<nats::BlockingPool>(4);
  nats::Publisher::Options publisher_options;
  publisher_options.on_acked = options_.publish_acked;
  publisher_ = std::make_unique<nats::Publisher>(*connection_, publisher_options);
  provision(provisioning);
  if (!options_.node_name.empty()) {
    try {
      nodes_ = std::make_unique<NodeRegistry>(*connection_, *publisher_, *pool_, options_.node_name,
                                              options_.heartbeat_interval, options_.dead_after);
    } catch (const nats::NatsError& error) {
      throw ClusterStartError(std::string("cannot join the node registry: ") + error.what());
    }
  }
}

Cluster::~Cluster() {
  nodes_.reset();
  if (publisher_ && !publisher_->drain(5s)) {
    spdlog::warn("cluster: writes still unacknowledged at shutdown were abandoned");
  }
  publisher_.reset();
  pool_.reset();
  connection_.reset();
}

void Cluster::provision(Provisioning provisioning) {
  std::vector<nats::StreamSpec> streams = options_.streams;
  std::vector<nats::KvSpec> buckets = options_.buckets;
  nats::KvSpec nodes;
  nodes.bucket = kNodesBucket;
  nodes.ttl = 1h;
  buckets.push_back(nodes);
  for (nats::KvSpec& bucket : buckets) {
    bucket.replicas = options_.replicas;
    streams.push_back(nats::kv_stream_spec(bucket));
  }
  for (nats::StreamSpec& stream : streams) stream.replicas = options_.replicas;

  nats::Provisioner::Options provisioner_options;
  provisioner_options.deadline = options_.provision_wait;
  nats::Provisioner provisioner(*connection_, provisioner_options);
  for (const nats::StreamSpec& stream : streams) {
    try {
      const auto deadline = std::chrono::steady_clock::now() + options_.provision_wait;
      if (provisioning == Provisioning::create_missing &&
          stream_exists(*connection_, stream.name, deadline)) {
        continue;
      }
      const auto outcome = provisioner.ensure_stream(stream);
      spdlog::info("cluster: stream {} {} (replicas {})", stream.name, action_text(outcome),
                   outcome.replicas);
    } catch (const nats::ProvisionError& error) {
      const std::string text = error.what();
      const bool replicas = text.find("replicas") != std::string::npos;
      throw ClusterStartError(text + (replicas ? " (lower --cluster-replicas, or run a NATS "
                                                 "cluster of that many JetStream servers)"
                                               : ""));
    } catch (const nats::NatsError& error) {
      if (error.js_code() == JSClusterNoPeersErr || error.js_code() == JSInsufficientResourcesErr ||
          error.js_code() == JSStreamReplicasNotSupportedErr) {
        throw ClusterStartError("stream " + stream.name + ": " + error.what() +
                                " (--cluster-replicas " + std::to_string(options_.replicas) +
                                " needs that many JetStream servers in one NATS cluster)");
      }
      if (nats::is_transient(error)) {
        throw ClusterStartError("stream " + stream.name + ": JetStream did not answer within " +
                                seconds_text(options_.provision_wait) + ": " + error.what() +
                                " (is JetStream enabled (-js) and does the NATS cluster have a "
                                "meta leader?)");
      }
      throw ClusterStartError("stream " + stream.name + ": " + error.what());
    }
  }
}

NodeRegistry& Cluster::nodes() {
  if (!nodes_) throw std::logic_error("this cluster member is not a node (no node name)");
  return *nodes_;
}

ClusterStatus Cluster::status() const {
  ClusterStatus status;
  status.node = options_.node_name;
  status.nats = connection_->state();
  status.server = connection_->connected_url();
  status.replicas = options_.replicas;
  if (nodes_) {
    status.jetstream = nodes_->heartbeat_ok();
    if (!status.jetstream) status.jetstream_error = nodes_->heartbeat_error();
    status.live_nodes = nodes_->live_nodes();
  }
  return status;
}

}  // namespace blender_bus::cluster
