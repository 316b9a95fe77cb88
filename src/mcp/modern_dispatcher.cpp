#include "mcp/modern_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "mcp/protocol_version.hpp"

namespace blender_bus::mcp {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

constexpr std::string_view kServerInfoKey = "io.modelcontextprotocol/serverInfo";
constexpr std::string_view kTasksExtension = "io.modelcontextprotocol/tasks";
// How often a client polls tasks/get: a Blender job takes seconds.
constexpr std::int64_t kTaskPollIntervalMs = 1000;
// Lists and discovery are the same for every user and change only with the
// server's version: an hour's freshness spares clients the round trips.
constexpr std::int64_t kStaticTtlMs = 3'600'000;

// Removed by 2026-07-28 (tasks/result and tasks/list by the tasks extension
// too, and tasks/* where the extension is not offered): named in the error
// so a client knows the method is gone, not mistyped.
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

bool is_task_method(std::string_view method) {
  return method == "tasks/get" || method == "tasks/update" || method == "tasks/cancel";
}

// RFC 3339 in UTC with milliseconds, as the extension's createdAt and
// lastUpdatedAt want.
std::string iso_time(double unix_seconds) {
  const auto whole = static_cast<std::time_t>(std::floor(unix_seconds));
  const int millis = static_cast<int>((unix_seconds - static_cast<double>(whole)) * 1000);
  std::tm parts{};
  gmtime_r(&whole, &parts);
  char text[80];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                std::clamp(millis, 0, 999));
  return text;
}

int status_of(int code) {
  if (code == error_code::method_not_found) return 404;
  if (code == error_code::missing_client_capability) return 400;
  return 200;
}

}  // namespace

bool declares_tasks(const RequestMeta& meta) {
  const json::value* extensions = meta.client_capabilities.if_contains("extensions");
  const json::object* declared = extensions ? extensions->if_object() : nullptr;
  return declared && declared->contains(kTasksExtension);
}

RpcError tasks_capability_missing(std::string_view what) {
  json::object extensions;
  extensions[kTasksExtension] = json::object{};
  json::object required;
  required["extensions"] = std::move(extensions);
  json::object data;
  data["requiredCapabilities"] = std::move(required);
  return RpcError{error_code::missing_client_capability,
                  "Missing required client capability: " + std::string(what) +
                      " needs the extension " + std::string(kTasksExtension) +
                      " in _meta[\"io.modelcontextprotocol/clientCapabilities\"].extensions",
                  std::move(data)};
}

ModernDispatcher::ModernDispatcher(Dispatcher& dispatcher, ModernOffer offer)
    : dispatcher_(dispatcher), offer_(offer) {
  json::object resources;
  if (offer_.resource_subscriptions) resources["subscribe"] = true;
  capabilities_ = json::object{{"tools", json::object{}},
                               {"resources", std::move(resources)},
                               {"prompts", json::object{}},
                               {"logging", json::object{}}};
  if (offer_.tasks) {
    json::object extensions;
    extensions[kTasksExtension] = json::object{};
    capabilities_["extensions"] = std::move(extensions);
  }
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

json::object ModernDispatcher::task_fields(const TaskState& task) const {
  json::object fields;
  fields["taskId"] = task.task_id;
  fields["status"] = task.status;
  if (!task.status_message.empty()) fields["statusMessage"] = task.status_message;
  fields["createdAt"] = iso_time(task.created_at);
  fields["lastUpdatedAt"] = iso_time(task.updated_at > 0 ? task.updated_at : task.created_at);
  // Kept while open and among the bus's recent jobs (a count, not a time):
  // no time is promised.
  fields["ttlMs"] = nullptr;
  fields["pollIntervalMs"] = kTaskPollIntervalMs;
  return fields;
}

asio::awaitable<json::object> ModernDispatcher::task_method(CallContext& context,
                                                            const std::string& method,
                                                            const json::object& params) {
  const json::value* id_value = params.if_contains("taskId");
  if (!id_value || !id_value->is_string()) {
    throw RpcFailure(error_code::invalid_params, "Invalid params: \"taskId\" must be a string");
  }
  std::string task_id(id_value->get_string());
  const auto unknown = [&] {
    return RpcFailure(error_code::invalid_params, "Invalid params: no task " + task_id);
  };
  if (method == "tasks/cancel") {
    std::string cancelled_id = task_id;
    if (!co_await offer_.tasks->cancel(context, std::move(cancelled_id))) throw unknown();
    co_return complete(json::object{});
  }
  std::string found_id = task_id;
  std::optional<TaskState> task = co_await offer_.tasks->find(context, std::move(found_id));
  if (!task) throw unknown();
  // tasks/update: these tasks never ask for input, so there is nothing to
  // take (the extension: responses to unknown keys are ignored).
  if (method == "tasks/update") co_return complete(json::object{});
  json::object detailed = task_fields(*task);
  if (task->status == "completed") detailed["result"] = std::move(task->result);
  co_return complete(std::move(detailed));
}

asio::awaitable<ModernAnswer> ModernDispatcher::handle(CallContext& context,
                                                       const RpcMessage& message,
                                                       const RequestMeta& meta) {
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
      json::object result = value_object(co_await dispatcher_.call_tool(context, params));
      if (offer_.tasks && declares_tasks(meta)) {
        // Named first: GCC 12 may release temporaries of a co_await's
        // full-expression twice (PR 100611).
        const json::value* name = params.if_contains("name");
        const json::value* arguments = params.if_contains("arguments");
        std::string tool = name && name->is_string() ? std::string(name->get_string()) : "";
        json::object args =
            arguments && arguments->is_object() ? arguments->get_object() : json::object{};
        json::object answered = result;
        std::optional<TaskState> task = co_await offer_.tasks->opened(
            context, std::move(tool), std::move(args), std::move(answered));
        if (task) {
          json::object created = complete(task_fields(*task));
          created["resultType"] = "task";
          co_return answer(std::move(created));
        }
      }
      co_return answer(complete(std::move(result)));
    }
    if (offer_.tasks && is_task_method(method)) {
      if (!declares_tasks(meta)) {
        co_return ModernAnswer{error_response(id, tasks_capability_missing(method)),
                               status_of(error_code::missing_client_capability)};
      }
      co_return answer(co_await task_method(context, method, params));
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
