#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cli/bearer_auth.hpp"
#include "cli/server_url.hpp"
#include "delivery_ledger.hpp"
#include "event_counts.hpp"

namespace blender_bus::bench {

class SoakPeer;

// One user of the soak: its token (refreshed when it expires) and who is on
// its bus, so that senders pick targets that exist.
struct SoakUser {
  std::string name;
  std::shared_ptr<cli::BearerAuth> auth;
  std::vector<std::shared_ptr<SoakPeer>> peers;  // registered or about to be
};

// What every actor of the soak shares. One thread (parallel.hpp): no locks.
struct SoakState {
  boost::asio::any_io_executor executor;
  cli::ServerUrl server;
  std::string run_id;    // prefixes client uuids
  std::string password;  // every soak user's (bench/soak creates them)
  std::vector<SoakUser> users;
  DeliveryLedger ledger;
  EventCounts errors;  // what should not happen, by kind
  EventCounts events;  // what did happen (sessions, cuts, answers to garbage), by kind
  std::mt19937_64 random{20260101};
  bool stopping = false;       // the load phase is over: actors wind down
  bool draining = false;       // every persistent peer comes back and reads what waits
  std::uint64_t numbered = 0;  // the last number next_number() gave

  // A uniformly drawn integer in [low, high].
  std::int64_t uniform(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(random);
  }
  // Numbers payloads and job ids, unique within the run.
  std::uint64_t next_number() { return ++numbered; }
  bool chance(double p) { return std::bernoulli_distribution(p)(random); }
  std::chrono::milliseconds between(std::chrono::milliseconds low, std::chrono::milliseconds high) {
    return std::chrono::milliseconds(uniform(low.count(), high.count()));
  }
};

}  // namespace blender_bus::bench
