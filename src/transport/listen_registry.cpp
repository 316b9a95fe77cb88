#include "transport/listen_registry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "transport/listen_stream.hpp"

namespace blender_bus::transport {

namespace asio = boost::asio;

std::uint64_t ListenRegistry::add(const std::shared_ptr<ListenStream>& listen) {
  bool closing = false;
  std::uint64_t key = 0;
  {
    std::lock_guard lock(mutex_);
    key = next_key_++;
    open_.emplace(key, listen);
    closing = closing_;
  }
  if (closing) listen->close();
  return key;
}

void ListenRegistry::remove(std::uint64_t key) {
  std::lock_guard lock(mutex_);
  open_.erase(key);
}

std::size_t ListenRegistry::size() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

asio::awaitable<void> ListenRegistry::close_all(std::chrono::milliseconds patience) {
  std::vector<std::shared_ptr<ListenStream>> open;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    for (auto& [key, weak] : open_) {
      if (auto listen = weak.lock()) open.push_back(std::move(listen));
    }
  }
  for (auto& listen : open) listen->close();
  open.clear();
  // Each listen ends on its own thread; a few milliseconds between looks
  // costs nothing at shutdown and needs no signal on the listens' path.
  const auto deadline = std::chrono::steady_clock::now() + patience;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (size() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace blender_bus::transport
