#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace blender_bus::nats {

// A few threads for nats.c's synchronous calls (leader reads, direct gets,
// stream admin, consumer info), so that none of them ever blocks an
// io_context thread. Each call takes about one request round trip (0.1-1 ms)
// and up to the JetStream wait (2 s) or a retry deadline when the cluster is
// electing a leader; 2-4 threads cover the rare reads of a node.
//
//   auto entry = co_await pool.run([&] { return reader.last_sequence(subject); });
//
// The result (or the exception the function threw) is delivered on the
// awaiting coroutine's executor.
//
// GCC 12: a lambda that captures anything non-trivial (a std::string) must be
// a named local, moved into run(), never a temporary inside the co_await
// expression: GCC 12 copies such a closure temporary bitwise, and the
// string's destructor then frees the coroutine frame's memory (ASan:
// bad-free).
class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads = 2) : pool_(threads) {}
  // Waits for the calls already submitted, then joins the threads.
  ~BlockingPool() { pool_.join(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs `fn()` on a pool thread; completes with (exception_ptr, result) —
  // or (exception_ptr) for a void function — on the handler's associated
  // executor (for use_awaitable: the coroutine's).
  template <class F, class Token>
  auto async_run(F fn, Token&& token) {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>) {
      return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
          [this](auto handler, F fn) { this->submit_void(std::move(handler), std::move(fn)); },
          token, std::move(fn));
    } else {
      return boost::asio::async_initiate<Token, void(std::exception_ptr, R)>(
          [this](auto handler, F fn) { this->submit_value(std::move(handler), std::move(fn)); },
          token, std::move(fn));
    }
  }

  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run(F fn) {
    return async_run(std::move(fn), boost::asio::use_awaitable);
  }

  boost::asio::thread_pool::executor_type executor() { return pool_.get_executor(); }

 private:
  template <class Handler, class F>
  void submit_value(Handler handler, F fn) {
    using R = std::invoke_result_t<F&>;
    static_assert(std::is_default_constructible_v<R>,
                  "the completion signature needs a value even when fn threw");
    auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
    boost::asio::post(pool_, [handler = std::move(handler), work = std::move(work),
                              fn = std::move(fn)]() mutable {
      std::exception_ptr error;
      std::optional<R> result;
      try {
        result.emplace(fn());
      } catch (...) {
        error = std::current_exception();
      }
      auto executor = work.get_executor();
      boost::asio::post(
          executor, [handler = std::move(handler), error, result = std::move(result)]() mutable {
            std::move(handler)(error, result ? std::move(*result) : R{});
          });
      work.reset();
    });
  }

  template <class Handler, class F>
  void submit_void(Handler handler, F fn) {
    auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
    boost::asio::post(pool_, [handler = std::move(handler), work = std::move(work),
                              fn = std::move(fn)]() mutable {
      std::exception_ptr error;
      try {
        fn();
      } catch (...) {
        error = std::current_exception();
      }
      auto executor = work.get_executor();
      boost::asio::post(
          executor, [handler = std::move(handler), error]() mutable { std::move(handler)(error); });
      work.reset();
    });
  }

  boost::asio::thread_pool pool_;
};

}  // namespace blender_bus::nats
