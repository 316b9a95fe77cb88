#include "mcp/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "json/non_finite.hpp"
#include "json/serializer.hpp"
#include "mcp/log_level.hpp"
#include "mcp/protocol_version.hpp"
#include "mcp/schema_validator.hpp"

namespace blender_bus::mcp {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

[[noreturn]] void invalid_params(const std::string& message) {
  throw RpcFailure(error_code::invalid_params, message);
}

const json::object& params_object(const RpcMessage& message) {
  static const json::object kEmpty;
  if (message.params.is_null()) return kEmpty;
  if (!message.params.is_object()) invalid_params("Invalid params: expected an object");
  return message.params.get_object();
}

std::string_view required_string(const json::object& params, std::string_view field) {
  const json::value* value = params.if_contains(field);
  if (!value || !value->is_string()) {
    invalid_params("Invalid params: \"" + std::string(field) + "\" must be a string");
  }
  return value->get_string();
}

std::string request_key(const json::value& id) {
  return blender_bus::json::to_text(id);
}

}  // namespace

Dispatcher::Dispatcher(ServerIdentity identity, const ToolRegistry& tools,
                       const ResourceRegistry& resources, const PromptRegistry& prompts)
    : identity_(std::move(identity)), tools_(tools), resources_(resources), prompts_(prompts) {}

asio::awaitable<std::optional<json::object>> Dispatcher::handle(SessionPtr session,
                                                                RpcMessage message,
                                                                asio::any_io_executor executor) {
  session->touch();
  switch (message.kind) {
    case MessageKind::request: {
      json::object response = co_await handle_request(session, message, executor);
      if (session->take_cancelled(request_key(message.id))) co_return std::nullopt;
      co_return response;
    }
    case MessageKind::notification:
      handle_notification(session, message);
      co_return std::nullopt;
    case MessageKind::response:
      // This server sends no requests of its own, so there is nothing to match.
      co_return std::nullopt;
  }
  co_return std::nullopt;
}

asio::awaitable<json::object> Dispatcher::handle_request(const SessionPtr& session,
                                                         const RpcMessage& message,
                                                         asio::any_io_executor executor) {
  CallContext context{session, executor};
  try {
    const std::string& method = message.method;
    const json::object& params = params_object(message);
    if (method == "initialize") co_return make_result(message.id, initialize(session, params));
    if (method == "ping") co_return make_result(message.id, json::object{});
    if (method == "tools/list") {
      co_return make_result(message.id, json::object{{"tools", tools_.list()}});
    }
    if (method == "tools/call")
      co_return make_result(message.id, co_await call_tool(context, params));
    if (method == "resources/list") {
      co_return make_result(message.id, json::object{{"resources", resources_.list()}});
    }
    if (method == "resources/templates/list") {
      co_return make_result(message.id,
                            json::object{{"resourceTemplates", resources_.templates()}});
    }
    if (method == "resources/read") {
      co_return make_result(message.id, co_await read_resource(context, params));
    }
    if (method == "prompts/list") {
      co_return make_result(message.id, json::object{{"prompts", prompts_.list()}});
    }
    if (method == "prompts/get") co_return make_result(message.id, get_prompt(context, params));
    if (method == "logging/setLevel") {
      const auto level = log_level_from_name(required_string(params, "level"));
      if (!level) invalid_params("Invalid params: unknown log level");
      session->set_log_threshold(*level);
      co_return make_result(message.id, json::object{});
    }
    throw RpcFailure(error_code::method_not_found, "Method not found: " + method);
  } catch (const RpcFailure& failure) {
    co_return make_error(message.id, RpcError{failure.code, failure.what()});
  } catch (const InvalidParams& failure) {
    co_return make_error(message.id, RpcError{error_code::invalid_params, failure.what()});
  } catch (const ResourceNotFound& failure) {
    co_return make_error(message.id, RpcError{error_code::resource_not_found, failure.what()});
  } catch (const std::exception& failure) {
    // A fault in a handler answers this request only; the cause goes to the log.
    spdlog::error("{} failed: {}", message.method, failure.what());
    co_return make_error(message.id, RpcError{error_code::internal_error, "Internal error"});
  }
}

void Dispatcher::handle_notification(const SessionPtr& session, const RpcMessage& message) {
  if (message.method == "notifications/initialized") {
    session->mark_initialized();
  } else if (message.method == "notifications/cancelled") {
    if (message.params.is_object()) {
      if (const json::value* id = message.params.get_object().if_contains("requestId")) {
        session->mark_cancelled(request_key(*id));
      }
    }
  }
  // Other notifications (progress, roots/list_changed, …) need no action.
}

json::value Dispatcher::initialize(const SessionPtr& session, const json::object& params) {
  const std::string_view requested = required_string(params, "protocolVersion");
  const std::string_view version = negotiate_protocol_version(requested);
  session->set_protocol_version(std::string(version));
  json::object capabilities{
      {"tools", json::object{{"listChanged", false}}},
      {"resources", json::object{{"subscribe", false}, {"listChanged", false}}},
      {"prompts", json::object{{"listChanged", false}}},
      {"logging", json::object{}},
  };
  json::object result{
      {"protocolVersion", version},
      {"capabilities", std::move(capabilities)},
      {"serverInfo", json::object{{"name", identity_.name}, {"version", identity_.version}}},
  };
  if (!identity_.instructions.empty()) result["instructions"] = identity_.instructions;
  return result;
}

asio::awaitable<json::value> Dispatcher::call_tool(CallContext& context,
                                                   const json::object& params) {
  const std::string_view name = required_string(params, "name");
  const ToolDefinition* tool = tools_.find(name);
  if (!tool) invalid_params("Unknown tool: " + std::string(name));
  static const json::value kNoArguments = json::object{};
  const json::value* arguments = &kNoArguments;
  if (const json::value* given = params.if_contains("arguments"); given && !given->is_null()) {
    if (!given->is_object()) invalid_params("Invalid params: \"arguments\" must be an object");
    arguments = given;
  }
  // Boost.JSON reads 1e400 as an infinity, which no JSON text can carry on.
  if (auto where = blender_bus::json::find_non_finite(*arguments)) {
    co_return ToolResult::error("Invalid arguments for " + tool->name + ": " +
                                (where->empty() ? "arguments" : *where) +
                                ": number out of range (JSON has no NaN or infinity)")
        .body;
  }
  if (auto violation = validate_against_schema(*arguments, tool->input_schema)) {
    co_return ToolResult::error("Invalid arguments for " + tool->name + ": " + *violation).body;
  }
  const auto started = std::chrono::steady_clock::now();
  const auto observe = [&] {
    if (observe_tool_call_) observe_tool_call_(*tool, std::chrono::steady_clock::now() - started);
  };
  try {
    ToolResult result = co_await tool->handler(context, arguments->get_object());
    observe();
    co_return std::move(result.body);
  } catch (const std::exception& error) {
    observe();
    // A fault inside a tool is reported to the caller, and logged with its cause.
    spdlog::error("tool {} failed: {}", tool->name, error.what());
    co_return ToolResult::error("Internal error in " + tool->name).body;
  }
}

asio::awaitable<json::value> Dispatcher::read_resource(CallContext& context,
                                                       const json::object& params) {
  const std::string_view uri = required_string(params, "uri");
  const ResourceDefinition* resource = resources_.find(uri);
  std::string text;
  std::string_view mime_type;
  if (resource) {
    text = co_await resource->read(context);
    mime_type = resource->mime_type;
  } else if (const ResourceTemplateDefinition* found = resources_.find_template(uri)) {
    text = co_await found->read(context, uri.substr(found->prefix.size()));
    mime_type = found->mime_type;
  } else {
    throw ResourceNotFound(std::string(uri));
  }
  // The URI asked for, which may be an alias of the listed one.
  co_return json::object{{"contents", json::array{json::object{
                                          {"uri", uri}, {"mimeType", mime_type}, {"text", text}}}}};
}

json::value Dispatcher::get_prompt(CallContext& context, const json::object& params) {
  const std::string_view name = required_string(params, "name");
  const PromptDefinition* prompt = prompts_.find(name);
  if (!prompt) invalid_params("Unknown prompt: " + std::string(name));
  json::object arguments;
  if (const json::value* given = params.if_contains("arguments"); given && !given->is_null()) {
    if (!given->is_object()) invalid_params("Invalid params: \"arguments\" must be an object");
    arguments = given->get_object();
  }
  for (const auto& argument : prompt->arguments) {
    const json::value* value = arguments.if_contains(argument.name);
    if (argument.required && (!value || !value->is_string())) {
      invalid_params("Missing required argument: " + argument.name);
    }
  }
  return prompt->render(context, arguments);
}

}  // namespace blender_bus::mcp
