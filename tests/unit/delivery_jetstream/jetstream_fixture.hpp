#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "delivery/feed.hpp"
#include "delivery/jetstream/cluster_assets.hpp"
#include "nats/blocking_pool.hpp"
#include "nats/provisioner.hpp"
#include "nats/publisher.hpp"
#include "nats_server_test.hpp"

namespace blender_bus::delivery::jetstream::testing {

using namespace std::chrono_literals;

// One node's view of the cluster: its own connection, publisher and pool
// (what the composition root gives the engine).
struct Node {
  explicit Node(const nats::ConnectionOptions& options)
      : connection(options), publisher(connection), pool(2) {}
  nats::Connection connection;
  nats::Publisher publisher;
  nats::BlockingPool pool;
};

// Real nats-server processes with the delivery assets provisioned.
class JetStreamTest : public nats::testing::NatsServerTest {
 protected:
  bool start(int servers = 1, AssetOptions assets = {}) {
    if (!start_servers(servers)) return false;
    assets.replicas = servers >= 3 ? 3 : 1;
    nats::Provisioner provisioner(*connection_);
    provisioner.ensure_stream(records_stream_spec(assets));
    for (const auto& bucket : delivery_buckets(assets)) provisioner.ensure_bucket(bucket);
    return true;
  }
  std::unique_ptr<Node> node() { return std::make_unique<Node>(servers_->options()); }
};

// Counts listener calls; waits for a condition on what a feed returns.
class CountingListener : public FeedListener {
 public:
  void on_records() override {
    std::lock_guard lock(mutex_);
    ++calls_;
    changed_.notify_all();
  }
  std::size_t calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  // Calls `poll()` after each listener call until it returns true or 10 s pass.
  bool wait_until(const std::function<bool()>& poll) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      std::unique_lock lock(mutex_);
      const std::size_t seen = calls_;
      lock.unlock();
      if (poll()) return true;
      lock.lock();
      if (!changed_.wait_until(lock, deadline, [&] { return calls_ > seen; })) {
        lock.unlock();
        return poll();
      }
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t calls_ = 0;
};

// Polls `condition` every 10 ms for up to 10 s.
inline bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 1000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

}  // namespace blender_bus::delivery::jetstream::testing
