#include "transport/io_context_pool.hpp"

#include <algorithm>
#include <thread>

namespace blender_bus::transport {

IoContextPool::IoContextPool(unsigned threads) {
  threads = std::max(threads, 1u);
  for (unsigned i = 0; i < threads; ++i) {
    // Concurrency hint 1: each context is run by one thread, so Asio can skip
    // the locking it would need for several.
    contexts_.push_back(std::make_unique<Context>(1));
    guards_.push_back(boost::asio::make_work_guard(*contexts_.back()));
  }
}

boost::asio::io_context& IoContextPool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void IoContextPool::run() {
  std::vector<std::thread> workers;
  for (std::size_t i = 1; i < contexts_.size(); ++i) {
    workers.emplace_back([context = contexts_[i].get()] { context->run(); });
  }
  contexts_.front()->run();
  for (auto& worker : workers) worker.join();
}

void IoContextPool::destroy_pending_work() {
  for (auto& context : contexts_) context->destroy_pending_work();
}

void IoContextPool::stop() {
  guards_.clear();
  for (auto& context : contexts_) context->stop();
}

}  // namespace blender_bus::transport
