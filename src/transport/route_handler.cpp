#include "transport/route_handler.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>

namespace blender_bus::transport {

namespace asio = boost::asio;

namespace {

// Where a route's answer meets the coroutine awaiting it: whichever of the
// two comes second completes the wait.
struct PendingReply {
  std::mutex mutex;
  std::optional<auth::HttpReply> reply;         // the answer, when it came first
  std::function<void(auth::HttpReply)> resume;  // the waiter, when it came first
};

}  // namespace

asio::awaitable<std::optional<auth::HttpReply>> answer_route(
    const std::vector<RouteHandler>& routes, const auth::HttpRequestView& request) {
  auto pending = std::make_shared<PendingReply>();
  bool claimed = false;
  {
    // Scoped: while this coroutine waits, only the route's copy (and so the
    // work that will answer) keeps `pending` alive. Work dropped unanswered
    // (shutdown) then frees it, the waiter and this frame, with no cycle.
    RouteReply deliver = [pending](auth::HttpReply reply) {
      std::function<void(auth::HttpReply)> resume;
      {
        std::lock_guard lock(pending->mutex);
        if (!pending->resume) {
          pending->reply = std::move(reply);
          return;
        }
        resume = std::move(pending->resume);
      }
      resume(std::move(reply));
    };
    for (const auto& route : routes) {
      if (route(request, deliver)) {
        claimed = true;
        break;
      }
    }
  }
  if (!claimed) co_return std::nullopt;
  std::optional<auth::HttpReply> ready;
  {
    std::lock_guard lock(pending->mutex);
    ready = std::move(pending->reply);
  }
  if (ready) co_return ready;

  // A named initiation, not a temporary in the co_await expression: GCC 12
  // destroys such a temporary lambda twice (once at the end of the
  // expression, once with the frame), and a second release of `pending`
  // reads a freed control block (ASan, heap-use-after-free).
  auto initiation = [pending = std::move(pending)](auto handler) {
    const auto executor = asio::get_associated_executor(handler);
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    auto resume = [executor, shared](auth::HttpReply reply) {
      asio::post(executor,
                 [shared, reply = std::move(reply)]() mutable { (*shared)(std::move(reply)); });
    };
    std::optional<auth::HttpReply> arrived;
    {
      std::lock_guard lock(pending->mutex);
      if (pending->reply) {
        arrived = std::move(pending->reply);
      } else {
        pending->resume = resume;
      }
    }
    if (arrived) resume(std::move(*arrived));
  };
  auth::HttpReply later =
      co_await asio::async_initiate<decltype(asio::use_awaitable), void(auth::HttpReply)>(
          std::move(initiation), asio::use_awaitable);
  co_return later;
}

}  // namespace blender_bus::transport
