#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "nats/connection.hpp"
#include "nats_servers.hpp"

namespace blender_bus::nats::testing {

// A test on real nats-server processes: the servers and a connection to
// them, or the test skipped with a message where nats-server is missing.
class NatsServerTest : public ::testing::Test {
 protected:
  // Starts `count` servers (see NatsServers) and connects to them. Returns
  // false, the test marked skipped, when nats-server is not installed.
  bool start_servers(int count) {
    if (!NatsServers::available()) {
      [] {
        GTEST_SKIP() << "nats-server is not installed (apt-get install nats-server; scripts/test "
                        "installs it)";
      }();
      return false;
    }
    servers_ = std::make_unique<NatsServers>(count);
    connection_ = std::make_unique<Connection>(servers_->options());
    return true;
  }

  std::unique_ptr<NatsServers> servers_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace blender_bus::nats::testing
