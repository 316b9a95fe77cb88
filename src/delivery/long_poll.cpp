#include "delivery/long_poll.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace blender_bus::delivery {

namespace asio = boost::asio;

asio::awaitable<bool> wait_until(Waiters& waiters, std::string key, std::function<bool()> ready,
                                 std::chrono::milliseconds timeout) {
  const auto executor = co_await asio::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto timer = std::make_shared<asio::steady_timer>(executor);
  auto woken = std::make_shared<std::atomic<bool>>(false);
  // Registered before the first check, so a change in between still wakes us.
  // The cancel is posted to our executor: it runs after the wait has begun.
  const auto id = waiters.add(key, [timer, woken, executor] {
    woken->store(true);
    asio::post(executor, [timer] { timer->cancel(); });
  });
  bool ok = ready();
  while (!ok && std::chrono::steady_clock::now() < deadline) {
    timer->expires_at(deadline);
    if (!woken->exchange(false)) {
      co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    ok = ready();
  }
  waiters.remove(key, id);
  co_return ok;
}

}  // namespace blender_bus::delivery
