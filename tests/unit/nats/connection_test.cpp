#include "nats/connection.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "nats/nats_error.hpp"
#include "nats_servers.hpp"

namespace blender_bus::nats {
namespace {

using namespace std::chrono_literals;
using testing::NatsServers;

// Collects a connection's events; waits for one kind.
class EventLog {
 public:
  explicit EventLog(Connection& connection)
      : connection_(connection), id_(connection.add_listener([this](const ConnectionEvent& event) {
          std::lock_guard lock(mutex_);
          events_.push_back(event);
          changed_.notify_all();
        })) {}
  ~EventLog() { connection_.remove_listener(id_); }

  bool wait_for(ConnectionEvent::Kind kind, std::chrono::milliseconds timeout = 20s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      for (const auto& event : events_) {
        if (event.kind == kind) return true;
      }
      return false;
    });
  }
  std::vector<ConnectionEvent> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  Connection& connection_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ConnectionEvent> events_;
  Connection::ListenerId id_;
};

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NatsServers::available()) {
      GTEST_SKIP() << "nats-server is not installed (apt-get install nats-server; scripts/test "
                      "installs it)";
    }
  }
};

TEST_F(ConnectionTest, ConnectsAndReportsItsServer) {
  NatsServers servers(1);
  Connection connection(servers.options());
  EXPECT_EQ(connection.state(), ConnectionState::connected);
  EXPECT_EQ(connection.connected_url(), servers.url_of("n1"));
  EXPECT_EQ(connection.max_payload(), 1024 * 1024);
  EXPECT_NE(connection.jetstream(), nullptr);
  connection.flush(2s);
}

TEST_F(ConnectionTest, WithoutRetryAFailedConnectThrowsNamingTheServer) {
  std::string url;
  {
    NatsServers servers(1);
    url = servers.url_of("n1");
  }
  ConnectionOptions options;
  options.servers = {url};
  options.retry_on_failed_connect = false;
  try {
    Connection connection(options);
    FAIL() << "connected to a stopped server";
  } catch (const NatsError& error) {
    EXPECT_EQ(error.status(), NATS_NO_SERVER);
    EXPECT_NE(std::string(error.what()).find(url), std::string::npos) << error.what();
  }
}

TEST_F(ConnectionTest, StartsBeforeItsServerAndConnectsWhenItComes) {
  NatsServers servers(1);
  servers.kill("n1");
  Connection connection(servers.options());
  EventLog log(connection);
  EXPECT_EQ(connection.state(), ConnectionState::connecting);
  EXPECT_EQ(connection.connected_url(), "");
  EXPECT_FALSE(connection.wait_connected(50ms));

  servers.restart("n1");
  EXPECT_TRUE(connection.wait_connected(20s));
  EXPECT_TRUE(log.wait_for(ConnectionEvent::Kind::connected));
  EXPECT_EQ(connection.state(), ConnectionState::connected);
  EXPECT_EQ(connection.connected_url(), servers.url_of("n1"));
}

TEST_F(ConnectionTest, ReportsALostServerAndTheReconnect) {
  NatsServers servers(1);
  Connection connection(servers.options());
  EventLog log(connection);

  servers.kill("n1");
  ASSERT_TRUE(log.wait_for(ConnectionEvent::Kind::disconnected));
  EXPECT_EQ(connection.state(), ConnectionState::reconnecting);
  EXPECT_EQ(connection.reconnects(), 0u);

  servers.restart("n1");
  ASSERT_TRUE(log.wait_for(ConnectionEvent::Kind::reconnected));
  EXPECT_EQ(connection.state(), ConnectionState::connected);
  EXPECT_EQ(connection.reconnects(), 1u);
  for (const auto& event : log.events()) {
    if (event.kind == ConnectionEvent::Kind::reconnected) {
      EXPECT_EQ(event.url, servers.url_of("n1"));
    }
  }
}

TEST_F(ConnectionTest, MovesToAnotherServerOfTheCluster) {
  NatsServers servers(3);
  Connection connection(servers.options());
  EventLog log(connection);
  const std::string first = connection.connected_url();
  std::string victim;
  for (const auto& name : servers.names()) {
    if (servers.url_of(name) == first) victim = name;
  }
  ASSERT_FALSE(victim.empty()) << first;

  servers.kill(victim);
  ASSERT_TRUE(log.wait_for(ConnectionEvent::Kind::reconnected));
  EXPECT_TRUE(connection.wait_connected(5s));
  EXPECT_NE(connection.connected_url(), first);
}

TEST_F(ConnectionTest, ARemovedListenerHearsNothingMore) {
  NatsServers servers(1);
  Connection connection(servers.options());
  int calls = 0;
  auto id = connection.add_listener([&](const ConnectionEvent&) { ++calls; });
  connection.remove_listener(id);
  EventLog log(connection);
  servers.kill("n1");
  ASSERT_TRUE(log.wait_for(ConnectionEvent::Kind::disconnected));
  EXPECT_EQ(calls, 0);
}

TEST_F(ConnectionTest, RefusesAnEmptyServerList) {
  EXPECT_THROW(Connection(ConnectionOptions{}), NatsError);
}

}  // namespace
}  // namespace blender_bus::nats
