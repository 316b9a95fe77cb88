#include "auth/worker_pool.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <stdexcept>

namespace blender_bus::auth {

WorkerPool::WorkerPool(std::size_t threads, std::size_t max_jobs)
    : pool_(threads), max_jobs_(max_jobs) {
  if (threads == 0 || max_jobs < threads) {
    throw std::invalid_argument("a worker pool needs a thread and at least one job per thread");
  }
}

WorkerPool::~WorkerPool() {
  stop();
}

void WorkerPool::stop() {
  pool_.stop();
  pool_.join();
}

bool WorkerPool::try_post(std::function<void()> job) {
  if (jobs_.fetch_add(1) >= max_jobs_) {
    jobs_.fetch_sub(1);
    return false;
  }
  boost::asio::post(pool_, [this, job = std::move(job)] {
    try {
      job();
    } catch (const std::exception& e) {
      spdlog::error("worker job failed: {}", e.what());
    }
    jobs_.fetch_sub(1);
  });
  return true;
}

}  // namespace blender_bus::auth
