#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace blender_bus::nats {

// A value that arrives once, from any thread (a nats.c callback), and that
// coroutines await on their own executors. set() never runs a waiter
// inline: each one is posted to its executor, so a nats.c thread only pays
// for the posts.
template <class T>
class AsyncResult {
 public:
  // The first call sets the value and resumes every waiter; later calls are
  // ignored (returns whether this call set it).
  bool set(T value) {
    std::vector<std::function<void(const T&)>> waiters;
    {
      std::lock_guard lock(mutex_);
      if (value_) return false;
      value_.emplace(std::move(value));
      waiters.swap(waiters_);
    }
    for (auto& waiter : waiters) waiter(*value_);
    return true;
  }

  bool ready() const {
    std::lock_guard lock(mutex_);
    return value_.has_value();
  }

  // The value; only after ready() (or a completed wait).
  const T& value() const {
    std::lock_guard lock(mutex_);
    return *value_;
  }

  // Completes with a copy of the value, on the handler's executor.
  template <class Token>
  auto async_wait(Token&& token) {
    return boost::asio::async_initiate<Token, void(T)>(
        [this](auto handler) {
          using Handler = decltype(handler);
          auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
          // std::function needs a copyable callable; the handler is move-only.
          auto shared = std::make_shared<Handler>(std::move(handler));
          auto resume = [shared, work = std::move(work)](const T& value) mutable {
            auto executor = work.get_executor();
            boost::asio::post(executor,
                              [shared, value]() mutable { std::move (*shared)(std::move(value)); });
            work.reset();
          };
          std::unique_lock lock(mutex_);
          if (value_) {
            lock.unlock();
            resume(*value_);
          } else {
            waiters_.push_back(std::move(resume));
          }
        },
        token);
  }

  boost::asio::awaitable<T> wait() { return async_wait(boost::asio::use_awaitable); }

  // Calls `fn(value)` on the thread that sets the value, or at once on this
  // one if it is set: for callers without an executor. `fn` must not block.
  void on_ready(std::function<void(const T&)> fn) {
    std::unique_lock lock(mutex_);
    if (value_) {
      lock.unlock();
      fn(*value_);
    } else {
      waiters_.push_back(std::move(fn));
    }
  }

 private:
  mutable std::mutex mutex_;
  std::optional<T> value_;
  std::vector<std::function<void(const T&)>> waiters_;
};

}  // namespace blender_bus::nats
