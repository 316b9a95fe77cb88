#include "parallel.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace blender_bus::bench {

namespace asio = boost::asio;

asio::awaitable<void> for_each_parallel(
    asio::any_io_executor executor, std::size_t count, std::size_t workers,
    std::function<asio::awaitable<void>(std::size_t, std::size_t)> job) {
  struct State {
    std::size_t next = 0;
    std::size_t running = 0;
    std::exception_ptr failure;
    asio::steady_timer all_done;
    explicit State(asio::any_io_executor ex)
        : all_done(ex, asio::steady_timer::time_point::max()) {}
  };
  auto state = std::make_shared<State>(executor);
  workers = std::max<std::size_t>(1, std::min(workers, count));
  if (count == 0) co_return;
  for (std::size_t w = 0; w < workers; ++w) {
    ++state->running;
    asio::co_spawn(
        executor,
        [state, count, w, &job]() -> asio::awaitable<void> {
          while (state->next < count && !state->failure) {
            const auto index = state->next++;
            co_await job(index, w);
          }
        },
        [state](std::exception_ptr error) {
          if (error && !state->failure) state->failure = error;
          if (--state->running == 0) state->all_done.cancel();
        });
  }
  boost::system::error_code ignored;
  co_await state->all_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  if (state->failure) std::rethrow_exception(state->failure);
}

asio::awaitable<bool> wait_until(std::function<bool()> done,
                                 std::chrono::steady_clock::duration timeout,
                                 std::chrono::steady_clock::duration step) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(step);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return true;
}

asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(duration);
  boost::system::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

}  // namespace blender_bus::bench
