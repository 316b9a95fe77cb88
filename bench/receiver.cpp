#include "receiver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <iostream>

#include "clock.hpp"

namespace blender_bus::bench {

namespace asio = boost::asio;
namespace json = boost::json;

Receiver::Receiver(std::shared_ptr<cli::BearerAuth> auth, std::string uuid, Tally& tally)
    : auth_(std::move(auth)), uuid_(std::move(uuid)), tally_(tally) {}

asio::awaitable<void> Receiver::join(std::shared_ptr<cli::HttpConnection> connection,
                                     const std::string& group, bool persistent,
                                     const std::string& bus_id) {
  persistent_ = persistent;
  bus_id_ = bus_id;
  cli::McpClientOptions options;
  options.client_name = "blender-bus-bench";
  client_.emplace(connection, auth_, options);
  co_await client_->connect();
  stream_ = std::make_unique<cli::EventStream>(*client_);
  co_await stream_->open();
  json::object arguments;
  arguments["client_uuid"] = uuid_;
  arguments["client_type"] = "blender";
  arguments["is_persistent"] = persistent;
  if (!group.empty()) arguments["group_id"] = group;
  if (!bus_id_.empty()) arguments["bus_id"] = bus_id_;
  auto registered = co_await client_->call_tool("blender_register_client", std::move(arguments));
  if (registered.is_error) throw std::runtime_error("register " + uuid_ + ": " + registered.text);

  auto executor = connection->get_executor();
  reader_finished_ =
      std::make_unique<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  streaming_ = true;
  asio::co_spawn(executor, stream_->run([this](json::object& params, const cli::SseEvent&) {
    on_record(params);
  }),
                 [this](std::exception_ptr error) {
                   streaming_ = false;
                   reader_finished_->cancel();
                   if (error && !stream_->stopped()) {
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       std::cerr << "bench: stream of " << uuid_ << " ended: " << e.what() << "\n";
                     }
                   }
                 });
}

void Receiver::on_record(json::object& params) {
  const auto now = steady_ns();
  ++tally_.received;
  tally_.last_arrival_ns = std::max(tally_.last_arrival_ns, now);
  if (!tally_.recording) return;
  // params.data.payload.t: the sender's clock at the send.
  const auto* data = params.if_contains("data");
  if (data == nullptr || !data->is_object()) return;
  const auto* payload = data->as_object().if_contains("payload");
  if (payload == nullptr || !payload->is_object()) return;
  const auto* sent = payload->as_object().if_contains("t");
  if (sent != nullptr && sent->is_int64()) tally_.latencies_ns.push_back(now - sent->as_int64());
}

asio::awaitable<void> Receiver::leave(std::shared_ptr<cli::HttpConnection> connection) {
  if (stream_ && streaming_) {
    stream_->stop();
    boost::system::error_code ignored;
    co_await reader_finished_->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (client_) {
    client_->use_connection(std::move(connection));
    if (persistent_) {
      json::object arguments;
      arguments["client_uuid"] = uuid_;
      if (!bus_id_.empty()) arguments["bus_id"] = bus_id_;
      co_await client_->call_tool("blender_unregister_client", std::move(arguments));
    }
    co_await client_->close();
  }
}

}  // namespace blender_bus::bench
