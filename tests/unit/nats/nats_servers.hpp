#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "nats/connection_options.hpp"

namespace blender_bus::nats::testing {

// Real nats-server processes for a test (tests/cluster/nats-cluster.sh):
// `count` = 1 is one standalone JetStream server, 3 a JetStream cluster,
// on free loopback ports with a fresh store. Stopped and removed by the
// destructor; a watchdog stops them if the test process dies first.
class NatsServers {
 public:
  // Whether nats-server is installed (tests skip with a message when not).
  static bool available();

  explicit NatsServers(int count = 1);
  ~NatsServers();
  NatsServers(const NatsServers&) = delete;
  NatsServers& operator=(const NatsServers&) = delete;

  std::vector<std::string> urls() const { return urls_; }
  const std::vector<std::string>& names() const { return names_; }
  // The URL of one server (n1, n2...).
  std::string url_of(const std::string& name) const;
  ConnectionOptions options() const;

  void kill(const std::string& name);     // -9
  void term(const std::string& name);     // graceful
  void restart(const std::string& name);  // same ports and store; waits until healthy

 private:
  std::string run(const std::string& arguments) const;

  std::string dir_;
  std::vector<std::string> names_;
  std::vector<std::string> urls_;
};

// prefix + number ("k7"): GCC 12 warns falsely (-Wrestrict) on
// "literal" + std::to_string(n).
inline std::string numbered(std::string_view prefix, long long number) {
  std::string out(prefix);
  out += std::to_string(number);
  return out;
}

// Runs a coroutine to completion on a fresh io_context on this thread.
template <class T>
T run_coroutine(boost::asio::awaitable<T> coroutine) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(coroutine), boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace blender_bus::nats::testing
