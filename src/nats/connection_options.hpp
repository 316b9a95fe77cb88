#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace blender_bus::nats {

// How a Connection talks to its NATS servers. The defaults are the tuned
// values of the cluster design (measured on nats-server 2.9 / nats.c 3.4):
// nats.c's own defaults notice a hung server only after 2 pings of 2 minutes,
// let a request wait out its whole timeout when the connection drops, wait
// 2 s between reconnects, and delay every write by its 1-ms flusher.
struct ConnectionOptions {
  // nats://host:port URLs; the connection uses one at a time and moves on
  // (in random order) when it fails.
  std::vector<std::string> servers;
  // The client name the servers show in their monitoring (e.g. the node name).
  std::string name;

  std::chrono::milliseconds connect_timeout{2000};
  // Reconnect forever, every reconnect_wait plus up to reconnect_jitter, so
  // that many nodes do not all come back in the same millisecond.
  std::chrono::milliseconds reconnect_wait{100};
  std::chrono::milliseconds reconnect_jitter{100};
  // A server that stops answering (hung, partitioned) is left after
  // ping_interval * max_pings_out.
  std::chrono::milliseconds ping_interval{1000};
  int max_pings_out = 2;
  // Keep trying when no server answers at construction (a node that starts
  // before its NATS cluster): the Connection is made in state `connecting`
  // and reports `connected` later. False: the constructor throws.
  bool retry_on_failed_connect = true;
  // Publishes made while reconnecting are buffered up to this many bytes and
  // sent after the reconnect; beyond it they fail (and a Publisher retries).
  int reconnect_buffer_bytes = 8 * 1024 * 1024;
  // The timeout of synchronous JetStream API calls (stream admin, leader
  // reads, direct gets) made through this connection's JetStream context.
  std::chrono::milliseconds jetstream_wait{2000};
};

}  // namespace blender_bus::nats
