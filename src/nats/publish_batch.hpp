#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

#include "nats/async_result.hpp"
#include "nats/publish_result.hpp"

namespace blender_bus::nats {

// The results of publishes started together (Publisher::start): settled when
// each has its ack or its final error. Await it right away or later; any
// number of coroutines may await it, each resumed on its own executor.
class PublishBatch {
 public:
  explicit PublishBatch(std::size_t size);

  std::size_t size() const { return size_; }
  bool settled() const { return done_.ready(); }

  // The results in request order, once all are in.
  boost::asio::awaitable<std::vector<PublishResult>> wait() { return done_.wait(); }
  template <class Token>
  auto async_wait(Token&& token) {
    return done_.async_wait(std::forward<Token>(token));
  }

  // Calls `fn(results)` on the thread that settles the batch (a nats.c or
  // Publisher thread), or at once if it is settled. `fn` must not block.
  void on_settled(std::function<void(const std::vector<PublishResult>&)> fn) {
    done_.on_ready(std::move(fn));
  }

  // Records the result of request `index` (the Publisher calls it once per
  // request, from any thread).
  void complete(std::size_t index, PublishResult result);

 private:
  std::size_t size_;
  std::mutex mutex_;
  std::vector<PublishResult> results_;
  std::size_t remaining_;
  AsyncResult<std::vector<PublishResult>> done_;
};

}  // namespace blender_bus::nats
