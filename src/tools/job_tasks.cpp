#include "tools/job_tasks.hpp"

#include <boost/json/parse.hpp>
#include <chrono>
#include <stdexcept>

#include "mcp/tool_registry.hpp"
#include "tools/job_status_answer.hpp"

namespace blender_bus::tools {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The send's answer as the tool wrote it (structuredContent.result holds
// its JSON text); empty when it is not one.
json::object send_answer(const json::object& result) {
  if (const json::value* error = result.if_contains("isError");
      error && error->is_bool() && error->get_bool()) {
    return {};
  }
  const json::value* structured = result.if_contains("structuredContent");
  const json::object* wrapped = structured ? structured->if_object() : nullptr;
  const json::value* text = wrapped ? wrapped->if_contains("result") : nullptr;
  if (!text || !text->is_string()) return {};
  boost::system::error_code ec;
  json::value parsed = json::parse(text->get_string(), ec);
  if (ec || !parsed.is_object()) return {};
  return std::move(parsed.get_object());
}

bool is_job_dispatch(const json::object& arguments) {
  const json::value* payload = arguments.if_contains("payload");
  const json::object* fields = payload ? payload->if_object() : nullptr;
  const json::value* type = fields ? fields->if_contains("message_type") : nullptr;
  const json::value* from = arguments.if_contains("from_uuid");
  return type && type->is_string() && type->get_string() == "job_dispatch" && from &&
         from->is_string() && !from->get_string().empty();
}

// A completed task returns what blender_job_status says of its job.
mcp::TaskState task_of(const delivery::JobStatus& status) {
  const bus::JobState& state = status.state;
  mcp::TaskState task;
  task.task_id = state.job_id;
  task.created_at = state.opened_at;
  task.updated_at = state.updated_at;
  if (state.status == "completed" || state.status == "failed") {
    task.status = "completed";
    task.result = mcp::ToolResult::json(job_status_answer(status), state.status == "failed").body;
    if (state.status == "failed") task.status_message = state.error;
  } else if (state.status == "cancelled") {
    task.status = "cancelled";
    task.status_message = state.error;
  } else {
    task.status = "working";
    task.status_message = state.progress_message.value_or("job " + state.status);
  }
  return task;
}

}  // namespace

asio::awaitable<std::optional<mcp::TaskState>> JobTasks::opened(mcp::CallContext& context,
                                                                std::string tool,
                                                                json::object arguments,
                                                                json::object result) {
  if (tool != "blender_send_message" || !is_job_dispatch(arguments)) co_return std::nullopt;
  const json::object answer = send_answer(result);
  const json::value* status = answer.if_contains("status");
  const json::value* job_id = answer.if_contains("job_id");
  const json::value* targets = answer.if_contains("targets");
  const bool delivered = status && status->is_string() && status->get_string() == "ok" && job_id &&
                         job_id->is_string() && targets && targets->is_array() &&
                         !targets->get_array().empty();
  if (!delivered) co_return std::nullopt;
  co_return co_await find(context, std::string(job_id->get_string()));
}

asio::awaitable<std::optional<mcp::TaskState>> JobTasks::find(mcp::CallContext& context,
                                                              std::string task_id) {
  std::string user = context.user_id();
  std::optional<delivery::JobStatus> status = co_await service_.job_status(
      std::move(user), std::move(task_id), std::chrono::milliseconds(0));
  if (!status) co_return std::nullopt;
  co_return task_of(*status);
}

asio::awaitable<bool> JobTasks::cancel(mcp::CallContext& context, std::string task_id) {
  std::string found_id = task_id;
  std::optional<mcp::TaskState> task = co_await find(context, std::move(found_id));
  if (!task) co_return false;
  if (task->status != "working") co_return true;  // ended: it stays as it ended
  bus::JobUpdate update{std::move(task_id), "cancelled", "", "cancelled by tasks/cancel"};
  update.session_id = context.session->id();
  std::string user = context.user_id();
  const delivery::Settled settled =
      co_await service_.job_update(std::move(user), std::move(update));
  if (!settled.stored) throw std::runtime_error("the cancellation could not be stored");
  co_return true;
}

}  // namespace blender_bus::tools
