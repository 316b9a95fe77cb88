#include "mcp/modern_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <array>

#include "mcp/protocol_version.hpp"

namespace blender_bus::mcp {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

constexpr std::string_view kServerInfoKey = "io.modelcontextprotocol/serverInfo";
// Lists and discovery are the same for every user and change only with the
// server's version: an hour's freshness spares clients the round trips.
constexpr std::int64_t kStaticTtlMs = 3'600'000;

// Removed by 2026-07-28 (and tasks/* outside the tasks extension): named in
// the error so a client knows the method is gone, not mistyped.
constexpr std::array<std::string_view, 9> kRemovedMethods = {"initialize",
                                                             "ping",
                                                             "logging/setLevel",
                                                             "resources/subscribe",
                                                             "resources/unsubscribe",
                                                             "tasks/get",
                                                             "tasks/result",
                                                             "tasks/list",
                                                             "tasks/cancel"};

bool removed(std::string_view method) {
  for (std::string_view m : kRemovedMethods) {
    if (m == method) return true;
  }
  return false;
}

const json::object& params_of(const RpcMessage& message) {
  static const json::object kEmpty;
  const json::object* params = message.params.if_object();
  if (!params) {
    if (!message.params.is_null()) {
      throw RpcFailure(error_code::invalid_params, "Invalid params: expected an object");
    }
    return kEmpty;
  }
  return *params;
}

int status_of(int code) {
  if (code == error_code::method_not_found) return 404;
  if (code == error_code::missing_client_capability) return 400;
  return 200;
}

}  // namespace

ModernDispatcher::ModernDispatcher(Dispatcher& dispatcher, ModernOffer offer)
    : dispatcher_(dispatcher), offer_(offer) {
  json::object resources;
  if (offer_.resource_subscriptions) resources["subscribe"] = true;
  capabilities_ = json::object{{"tools", json::object{}},
                               {"resources", std::move(resources)},
                               {"prompts", json::object{}},
                               {"logging", json::object{}}};
  const ServerIdentity& identity = dispatcher_.identity();
  server_info_ = json::object{{"name", identity.name}, {"version", identity.version}};
}

json::object ModernDispatcher::complete(json::object result) const {
  result["resultType"] = "complete";
  json::value& meta = result["_meta"];
  if (!meta.is_object()) meta = json::object{};
  meta.get_object()[kServerInfoKey] = server_info_;
  return result;
}

json::object ModernDispatcher::cacheable(json::object result, bool per_user) const {
  result["ttlMs"] = per_user ? 0 : kStaticTtlMs;
  result["cacheScope"] = per_user ? "private" : "public";
  return complete(std::move(result));
}

json::object ModernDispatcher::error_response(const json::value& id, const RpcError& error) {
  json::object response = make_error(id, error);
  if (id.is_null()) response.erase("id");
  return response;
}

json::object ModernDispatcher::discover() const {
  json::array versions;
  for (std::string_view v : kModernProtocolVersions) versions.emplace_back(v);
  json::object result{{"supportedVersions", std::move(versions)}, {"capabilities", capabilities_}};
  const std::string& instructions = dispatcher_.identity().instructions;
  if (!instructions.empty()) result["instructions"] = instructions;
  return cacheable(std::move(result), false);
}

asio::awaitable<ModernAnswer> ModernDispatcher::handle(CallContext& context,
                                                       const RpcMessage& message,
                                                       const RequestMeta&) {
  const std::string& method = message.method;
  const json::value& id = message.id;
  auto answer = [&](json::object result) {
    return ModernAnswer{make_result(id, std::move(result)), 200};
  };
  auto value_object = [](json::value value) {
    return value.is_object() ? std::move(value.get_object()) : json::object{};
  };
  try {
    const json::object& params = params_of(message);
    if (method == "server/discover") co_return answer(discover());
    if (method == "tools/list") {
      co_return answer(cacheable(json::object{{"tools", dispatcher_.tools().list()}}, false));
    }
    if (method == "tools/call") {
      co_return answer(complete(value_object(co_await dispatcher_.call_tool(context, params))));
    }
    if (method == "resources/list") {
      co_return answer(
          cacheable(json::object{{"resources", dispatcher_.resources().list()}}, false));
    }
    if (method == "resources/templates/list") {
      co_return answer(cacheable(
          json::object{{"resourceTemplates", dispatcher_.resources().templates()}}, false));
    }
    if (method == "resources/read") {
      // A read is the caller's own bus as it is now: never reused, never shared.
      co_return answer(
          cacheable(value_object(co_await dispatcher_.read_resource(context, params)), true));
    }
    if (method == "prompts/list") {
      co_return answer(cacheable(json::object{{"prompts", dispatcher_.prompts().list()}}, false));
    }
    if (method == "prompts/get") {
      co_return answer(complete(value_object(dispatcher_.get_prompt(context, params))));
    }
    if (removed(method)) {
      throw RpcFailure(error_code::method_not_found,
                       "Method not found: " + method + " is not part of protocol version " +
                           std::string(kModernProtocolVersions.front()));
    }
    throw RpcFailure(error_code::method_not_found, "Method not found: " + method);
  } catch (const RpcFailure& failure) {
    co_return ModernAnswer{error_response(id, RpcError{failure.code, failure.what()}),
                           status_of(failure.code)};
  } catch (const InvalidParams& failure) {
    co_return ModernAnswer{error_response(id, RpcError{error_code::invalid_params, failure.what()}),
                           200};
  } catch (const ResourceNotFound& failure) {
    co_return ModernAnswer{
        error_response(id, RpcError{error_code::invalid_params, "Resource not found",
                                    json::object{{"uri", failure.uri}}}),
        200};
  } catch (const std::exception& failure) {
    spdlog::error("{} failed: {}", method, failure.what());
    co_return ModernAnswer{
        error_response(id, RpcError{error_code::internal_error, "Internal error"}), 200};
  }
}

}  // namespace blender_bus::mcp
