#include "transport/listen_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "json/serializer.hpp"
#include "transport/sse_format.hpp"
#include "transport/sse_response.hpp"

namespace blender_bus::transport {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kSubscriptionIdKey = "io.modelcontextprotocol/subscriptionId";
// Names, not literals, inside the coroutines (GCC 12 cannot keep an array
// temporary across a co_await).
constexpr std::string_view kAcknowledged = "notifications/subscriptions/acknowledged";
constexpr std::string_view kUpdated = "notifications/resources/updated";
constexpr std::string_view kKeepAlive = "keep-alive";
}  // namespace

ListenStream::ListenStream(const asio::any_io_executor& executor,
                           std::shared_ptr<HttpStream> stream, const HttpOptions& options,
                           json::value subscription_id, json::object closing_result,
                           ListenRegistry& registry)
    : executor_(executor),
      timer_(executor),
      stream_(std::move(stream)),
      options_(options),
      subscription_id_(std::move(subscription_id)),
      closing_result_(std::move(closing_result)),
      registry_(registry) {}

void ListenStream::wake() {
  // One post per wake; the stream's own thread looks at its watches.
  asio::post(executor_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->woken_ = true;
      self->timer_.cancel();
    }
  });
}

void ListenStream::close() {
  asio::post(executor_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->closing_ = true;
      self->timer_.cancel();
    }
  });
}

asio::awaitable<void> ListenStream::watch_peer() {
  auto self = shared_from_this();
  co_await stream_->read_until_closed();
  peer_gone_ = true;
  timer_.cancel();
}

asio::awaitable<bool> ListenStream::send(std::string_view method, json::object params) {
  json::object meta{{kSubscriptionIdKey, subscription_id_}};
  params["_meta"] = std::move(meta);
  std::string event;
  append_sse_event(event,
                   blender_bus::json::to_text(json::object{
                       {"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}}));
  chunk_.assign(std::move(event));
  co_return co_await chunk_.write(*stream_, options_.write_timeout);
}

asio::awaitable<void> ListenStream::run(const HttpRequest& request,
                                        std::vector<Subscription> watches, json::object honoured) {
  const bool opened = co_await write_sse_header(*stream_, request, options_.write_timeout);
  if (!opened) co_return;
  const std::uint64_t registration = registry_.add(shared_from_this());
  json::object acknowledged;
  acknowledged["notifications"] = std::move(honoured);
  bool healthy = co_await send(kAcknowledged, std::move(acknowledged));
  asio::co_spawn(executor_, watch_peer(), asio::detached);
  while (healthy && !peer_gone_ && !closing_) {
    woken_ = false;
    for (auto& s : watches) {
      if (!healthy || !s.watch->take_update()) continue;
      json::object updated;
      updated["uri"] = s.uri;
      healthy = co_await send(kUpdated, std::move(updated));
    }
    if (!healthy || peer_gone_ || closing_) break;
    if (woken_) continue;  // a wake landed while the watches were asked or written
    timer_.expires_after(options_.keep_alive_interval);
    auto [ec] = co_await timer_.async_wait(kTuple);
    if (!ec && !peer_gone_ && !woken_ && !closing_) {
      std::string comment;
      append_sse_comment(comment, kKeepAlive);
      chunk_.assign(std::move(comment));
      healthy = co_await chunk_.write(*stream_, options_.write_timeout);
    }
  }
  watches.clear();  // the channels close before the socket does
  if (healthy && !peer_gone_ && closing_) {
    std::string event;
    append_sse_event(event, blender_bus::json::to_text(closing_result_));
    chunk_.assign(std::move(event));
    healthy = co_await chunk_.write(*stream_, options_.write_timeout);
  }
  if (healthy && !peer_gone_) {
    co_await stream_->write_rest(http::make_chunk_last(), options_.write_timeout);
  }
  registry_.remove(registration);
  stream_->close();
}

}  // namespace blender_bus::transport
