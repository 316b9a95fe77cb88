#include "store/external_change_watch.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>

namespace blender_bus::store {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Counts the watch's calls and lets the test wait for the next one.
class Calls {
 public:
  void add() {
    {
      std::lock_guard lock(mutex_);
      ++count_;
    }
    changed_.notify_all();
  }
  // Waits until at least `n` calls happened; false after 10 s.
  bool wait_for(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return count_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int count_ = 0;
};

TEST(ExternalChangeWatch, CallsOnceAtStartThenOnEachCommitOfAnotherProcess) {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("bb-watch-" + std::to_string(rd()));
  fs::create_directories(dir);
  {
    Database server(dir / "blender-bus.db");
    Database cli(dir / "blender-bus.db");
    cli.lock().exec("CREATE TABLE t (x INTEGER)");
    Calls calls;
    ExternalChangeWatch watch(server, 5ms, [&] { calls.add(); });
    ASSERT_TRUE(calls.wait_for(1));  // the start: whatever came before the watch
    cli.lock().exec("INSERT INTO t VALUES (1)");
    ASSERT_TRUE(calls.wait_for(2));
    cli.lock().exec("INSERT INTO t VALUES (2)");
    ASSERT_TRUE(calls.wait_for(3));
  }
  fs::remove_all(dir);
}

TEST(ExternalChangeWatch, AFailedCallIsTriedAgainOnTheNextPoll) {
  Database db(":memory:");
  Calls calls;
  int attempts = 0;
  ExternalChangeWatch watch(db, 5ms, [&] {
    if (++attempts == 1) throw std::runtime_error("store busy");
    calls.add();
  });
  ASSERT_TRUE(calls.wait_for(1));
  EXPECT_EQ(attempts, 2);
}

}  // namespace
}  // namespace blender_bus::store
