#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <optional>
#include <string>

#include "mcp/call_context.hpp"

namespace blender_bus::mcp {

// A task of the tasks extension (io.modelcontextprotocol/tasks) as the
// protocol sees it: its status in the extension's words and, once
// completed, the CallToolResult it ends with.
struct TaskState {
  std::string task_id;
  std::string status;          // working, completed, failed or cancelled
  std::string status_message;  // empty: none
  double created_at = 0;       // Unix seconds
  double updated_at = 0;       // Unix seconds (0: not updated since created)
  boost::json::object result;  // the CallToolResult, when completed
};

// What the tasks extension runs on: which tools/call opened a task, and
// each task's state, for the caller's own bus only. The mcp layer speaks
// the extension's wire; what a task is lives below it (a Blender job).
class TaskBook {
 public:
  virtual ~TaskBook() = default;

  // The task that tools/call of `tool` with `arguments`, answered `result`,
  // opened; nullopt when the call is not long-running work.
  virtual boost::asio::awaitable<std::optional<TaskState>> opened(CallContext& context,
                                                                  std::string tool,
                                                                  boost::json::object arguments,
                                                                  boost::json::object result) = 0;
  // The caller's task `task_id`; nullopt: no such task (or not the caller's).
  virtual boost::asio::awaitable<std::optional<TaskState>> find(CallContext& context,
                                                                std::string task_id) = 0;
  // Asks the task to stop (cooperative: its work may still end otherwise);
  // a task already ended stays as it is. False: no such task.
  virtual boost::asio::awaitable<bool> cancel(CallContext& context, std::string task_id) = 0;
};

}  // namespace blender_bus::mcp
