#include "cli/bearer_auth.hpp"

namespace blender_bus::cli {

BearerAuth::BearerAuth(std::string token, Refresher refresher)
    : token_(std::move(token)), refresher_(std::move(refresher)) {}

std::string BearerAuth::header_value() const {
  return token_.empty() ? std::string() : "Bearer " + token_;
}

boost::asio::awaitable<bool> BearerAuth::refresh(const std::string& rejected) {
  if (token_ != rejected) co_return true;  // someone refreshed it meanwhile
  if (!refresher_) co_return false;
  auto fresh = co_await refresher_();
  if (!fresh || fresh->empty() || *fresh == token_) co_return false;
  token_ = std::move(*fresh);
  co_return true;
}

}  // namespace blender_bus::cli
