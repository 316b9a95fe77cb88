#pragma once

// The contract both delivery ports promise, whatever engine is behind them
// (ARCHITECTURE.md, "The two ports"). port_contract_test.cpp holds the
// tests; an engine runs them with one INSTANTIATE_TEST_SUITE_P over a
// factory of its PortsUnderTest (embedded_ports_test.cpp does it for the
// embedded engine, in memory and over SQLite).

#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "delivery/directory.hpp"
#include "delivery/record_log.hpp"

namespace blender_bus::delivery::test {

// What a test may ask of the engine it runs against.
struct PortOptions {
  std::size_t max_records_per_client = 16384;  // the per-client record bound
};

// One engine's two ports, fresh and empty, on their own buses.
class PortsUnderTest {
 public:
  virtual ~PortsUnderTest() = default;
  virtual RecordLog& log() = 0;
  virtual Directory& directory() = 0;

  // While the returned object lives, the engine's writes fail (so that a
  // settlement is false). Null: the engine cannot be made to fail.
  virtual std::shared_ptr<void> failing_writes() { return nullptr; }
};

struct PortsFactory {
  std::string name;  // the instantiation's name (letters and digits)
  // Null when the engine cannot run here (its server is missing): the
  // tests skip.
  std::function<std::unique_ptr<PortsUnderTest>(const PortOptions&)> make;
};

class PortContract : public ::testing::TestWithParam<PortsFactory> {
 protected:
  void SetUp() override { start({}); }

  // Replaces the engine with one made with `options`.
  void start(const PortOptions& options) {
    ports_.reset();
    ports_ = GetParam().make(options);
    if (!ports_) GTEST_SKIP() << GetParam().name << " cannot run here";
  }

  RecordLog& log() { return ports_->log(); }
  Directory& directory() { return ports_->directory(); }
  PortsUnderTest& ports() { return *ports_; }

  // Runs `task` on the test's io_context until it completes.
  template <class T>
  T run(boost::asio::awaitable<T> task) {
    auto future = boost::asio::co_spawn(io_, std::move(task), boost::asio::use_future);
    io_.restart();
    io_.run();
    return future.get();
  }

  RegisterResult reg(const BusId& bus, const std::string& uuid, bool persistent = false,
                     std::string type = "blender", std::optional<std::string> group = std::nullopt,
                     std::string holder = {}) {
    bus::Registration r{uuid, std::move(type), persistent, {}, std::move(group), std::move(holder)};
    return run(directory().register_client(bus, std::move(r)));
  }

  std::unique_ptr<Append> start_append(const BusId& bus, const std::vector<std::string>& clients,
                                       const std::string& text, bool hold = false) {
    AppendRequest request{"m-" + text, {}, hold};
    for (const auto& c : clients) {
      const auto info = directory().find(bus, c);
      request.records.push_back({c, info && info->is_persistent, bus::Priority::info,
                                 std::make_shared<const std::string>(text), 1000.5});
    }
    return log().append(bus, std::move(request));
  }

  // Appends one record for each client and settles it; returns the seqs.
  std::vector<std::uint64_t> append(const BusId& bus, const std::vector<std::string>& clients,
                                    const std::string& text) {
    auto appended = start_append(bus, clients, text);
    EXPECT_FALSE(appended->refusal());
    EXPECT_TRUE(run(appended->settled()));
    return appended->seqs();
  }

  std::uint64_t append_one(const BusId& bus, const std::string& client, const std::string& text) {
    auto seqs = append(bus, {client}, text);
    return seqs.empty() ? 0 : seqs.front();
  }

  RecordRead read(const BusId& bus, const std::string& client,
                  std::optional<std::uint64_t> after = std::nullopt, std::size_t limit = 100) {
    return run(log().read(bus, client, after, limit));
  }

  static std::vector<std::string> texts(const std::vector<LoggedRecord>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) out.push_back(*r.text);
    return out;
  }
  static std::vector<std::string> uuids(const std::vector<Target>& targets) {
    std::vector<std::string> out;
    for (const auto& t : targets) out.push_back(t.uuid);
    return out;
  }

  boost::asio::io_context io_;
  std::unique_ptr<PortsUnderTest> ports_;
};

// GoogleTest names a parameter by this (not by its bytes).
inline void PrintTo(const PortsFactory& factory, std::ostream* out) {
  *out << factory.name;
}

inline std::string contract_name(const ::testing::TestParamInfo<PortsFactory>& info) {
  return info.param.name;
}

}  // namespace blender_bus::delivery::test
