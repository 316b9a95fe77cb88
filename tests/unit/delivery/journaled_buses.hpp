#pragma once

#include <chrono>
#include <filesystem>
#include <random>
#include <span>
#include <string>

#include "delivery/embedded/bus_manager.hpp"
#include "delivery/store_journal.hpp"
#include "store/bus_store.hpp"
#include "store/database.hpp"
#include "store/group_commit.hpp"

namespace blender_bus::delivery::test {

// A fresh temporary directory for a store (the caller removes it).
inline std::filesystem::path fresh_store_dir() {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("bb-journal-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir;
}

// A short busy timeout, so that a test holding the store's lock makes a
// commit fail quickly.
inline store::DatabaseOptions quick_busy_timeout() {
  store::DatabaseOptions options;
  options.busy_timeout = std::chrono::milliseconds(50);
  return options;
}

// Buses as the server runs them with a store: a real SQLite store in a fresh
// temporary directory (a short busy timeout, so that a test holding its lock
// makes a commit fail quickly), its group commit, the journal over it, and
// buses that hold records until they are stored. Removed at destruction.
class JournaledBuses {
 protected:
  ~JournaledBuses() {
    commit_.stop();
    std::filesystem::remove_all(dir_);
  }

  std::size_t stored_records() {
    store::BusStore reader(db_);
    return reader.load().records.size();
  }

  static delivery::embedded::DeliveryPolicy holding() {
    delivery::embedded::DeliveryPolicy policy;
    policy.hold_until_stored = true;
    return policy;
  }

  std::filesystem::path dir_ = fresh_store_dir();
  store::Database db_{store::Database::file_in(dir_), quick_busy_timeout()};
  store::BusStore store_{db_};
  store::GroupCommit commit_{store_};
  StoreJournal journal_{commit_};
  double now_ = 10.5;
  unsigned random_counter_ = 0;
  delivery::embedded::BusManager buses_{[this] { return now_; },
                                        [this](std::span<unsigned char> out) {
                                          for (auto& b : out)
                                            b = static_cast<unsigned char>(random_counter_++);
                                        },
                                        bus::Limits{}, holding()};
};

}  // namespace blender_bus::delivery::test
