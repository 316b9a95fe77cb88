#include "cli/bearer_auth.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace blender_bus::cli {

BearerAuth::BearerAuth(std::string token, Refresher refresher)
    : token_(std::move(token)), refresher_(std::move(refresher)) {}

std::string BearerAuth::header_value() const {
  return token_.empty() ? std::string() : "Bearer " + token_;
}

boost::asio::awaitable<bool> BearerAuth::refresh(const std::string& rejected) {
  namespace asio = boost::asio;
  while (refreshing_) {  // another request is refreshing: wait for its outcome
    const auto pending = refreshing_;
    co_await pending->async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (token_ != rejected) co_return true;  // someone refreshed it meanwhile
  if (!refresher_) co_return false;
  refreshing_ = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                     asio::steady_timer::time_point::max());
  std::optional<std::string> fresh;
  std::exception_ptr failure;
  try {
    fresh = co_await refresher_();
  } catch (...) {
    failure = std::current_exception();
  }
  std::exchange(refreshing_, nullptr)->cancel();
  if (failure) std::rethrow_exception(failure);
  if (!fresh || fresh->empty() || *fresh == token_) co_return false;
  token_ = std::move(*fresh);
  co_return true;
}

}  // namespace blender_bus::cli
