#include "auth/worker_pool.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace blender_bus::auth {
namespace {

TEST(WorkerPool, RunsJobsOffTheCallersThread) {
  WorkerPool pool(2, 4);
  std::promise<std::thread::id> ran;
  ASSERT_TRUE(pool.try_post([&] { ran.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(ran.get_future().get(), std::this_thread::get_id());
}

TEST(WorkerPool, RefusesPastItsBoundAtOnceAndTakesJobsAgainOnceTheyEnd) {
  WorkerPool pool(1, 3);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> done{0};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.try_post([released, &done] {
      released.wait();
      ++done;
    }));
  }
  EXPECT_FALSE(pool.try_post([] {}));  // one running, two queued: full
  EXPECT_EQ(pool.jobs(), 3u);
  release.set_value();
  while (pool.jobs() != 0) std::this_thread::yield();
  EXPECT_EQ(done.load(), 3);
  std::promise<void> again;
  EXPECT_TRUE(pool.try_post([&] { again.set_value(); }));
  again.get_future().get();
}

TEST(WorkerPool, AThrowingJobIsLoggedAndFreesItsPlace) {
  WorkerPool pool(1, 1);
  ASSERT_TRUE(pool.try_post([] { throw std::runtime_error("disk full"); }));
  while (pool.jobs() != 0) std::this_thread::yield();
  std::promise<void> next;
  EXPECT_TRUE(pool.try_post([&] { next.set_value(); }));
  next.get_future().get();
}

}  // namespace
}  // namespace blender_bus::auth
