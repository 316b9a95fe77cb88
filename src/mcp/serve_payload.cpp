#include "mcp/serve_payload.hpp"

#include <boost/json/array.hpp>

#include "json/serializer.hpp"

namespace blender_bus::mcp {

namespace json = boost::json;

boost::asio::awaitable<PayloadAnswer> serve_payload(Dispatcher& dispatcher, SessionPtr session,
                                                    IncomingPayload payload,
                                                    boost::asio::any_io_executor executor) {
  const bool initializing = payload.messages.size() == 1 &&
                            payload.messages.front().kind == MessageKind::request &&
                            payload.messages.front().method == "initialize";
  json::array responses;
  for (auto& message : payload.messages) {
    auto response = co_await dispatcher.handle(session, std::move(message), executor);
    if (response) responses.push_back(std::move(*response));
  }
  PayloadAnswer answer;
  if (responses.empty()) co_return answer;
  answer.initialize_failed = initializing && responses[0].get_object().contains("error");
  answer.body = payload.is_batch ? blender_bus::json::to_text(responses)
                                 : blender_bus::json::to_text(responses.front());
  co_return answer;
}

}  // namespace blender_bus::mcp
