#include "delivery/durable_wait.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace blender_bus::delivery {

namespace asio = boost::asio;

namespace {

template <class Token>
auto async_durable(BusJournal& journal, std::uint64_t ticket, Token&& token) {
  return asio::async_initiate<Token, void(bool)>(
      [&journal, ticket](auto handler) {
        using Handler = decltype(handler);
        auto work = asio::make_work_guard(asio::get_associated_executor(handler));
        // std::function needs a copyable callable; the handler is move-only.
        auto shared = std::make_shared<Handler>(std::move(handler));
        auto executor = work.get_executor();
        journal.when_durable(ticket, [shared, work = std::move(work)](bool committed) mutable {
          auto executor = work.get_executor();
          asio::post(executor, [shared, committed]() mutable { std::move (*shared)(committed); });
          work.reset();
        });
        // Queued behind the handlers this thread already has ready: by the
        // time it runs, the other requests of this turn have recorded their
        // writes too, and one commit takes them all.
        asio::post(executor, [&journal] { journal.commit_soon(); });
      },
      token);
}

}  // namespace

asio::awaitable<bool> await_durable(BusJournal* journal, std::uint64_t ticket) {
  if (!journal || ticket == 0) co_return true;
  co_return co_await async_durable(*journal, ticket, asio::use_awaitable);
}

}  // namespace blender_bus::delivery
