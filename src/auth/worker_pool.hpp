#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <functional>

namespace blender_bus::auth {

// A few threads for the work an I/O thread must not do (argon2id, waits on
// the store), with a bound on the jobs queued or running: past it try_post
// refuses at once and the caller answers 503, so a flood of logins costs a
// bounded amount of memory (argon2id takes 64 MiB per running job) and never
// delays a stream or a tool call. Thread-safe.
class WorkerPool {
 public:
  // `threads` >= 1, `max_jobs` >= threads.
  WorkerPool(std::size_t threads, std::size_t max_jobs);
  // Runs no further queued job (they are dropped) and waits for running ones.
  ~WorkerPool();
  // The same, early (shutdown); later jobs are dropped too. Idempotent.
  void stop();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`; false, and `job` is dropped, when max_jobs are queued or
  // running. An exception escaping `job` is logged.
  bool try_post(std::function<void()> job);

  std::size_t jobs() const { return jobs_.load(); }  // queued or running

 private:
  boost::asio::thread_pool pool_;
  const std::size_t max_jobs_;
  std::atomic<std::size_t> jobs_{0};
};

}  // namespace blender_bus::auth
