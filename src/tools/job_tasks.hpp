#pragma once

#include "delivery/bus_service.hpp"
#include "mcp/task_book.hpp"

namespace blender_bus::tools {

// The tasks extension over Blender jobs: a blender_send_message that
// dispatches a job (payload message_type "job_dispatch", with from_uuid so
// the bus correlates its updates, and at least one target) is a task whose
// id is the job's id. Its status follows the job's updates: pending and
// running are working, completed is completed, failed is completed with
// isError (the tool ran; the extension keeps failed for protocol faults),
// cancelled is cancelled. tasks/cancel sends the job's originator a
// cancelled update, as the dashboard's cancel does. A task lives as long as
// blender_job_status answers for its job (open, or among the bus's recent
// jobs). Thread-safe: the service is.
class JobTasks : public mcp::TaskBook {
 public:
  explicit JobTasks(delivery::BusService& service) : service_(service) {}

  boost::asio::awaitable<std::optional<mcp::TaskState>> opened(mcp::CallContext& context,
                                                               std::string tool,
                                                               boost::json::object arguments,
                                                               boost::json::object result) override;
  boost::asio::awaitable<std::optional<mcp::TaskState>> find(mcp::CallContext& context,
                                                             std::string task_id) override;
  boost::asio::awaitable<bool> cancel(mcp::CallContext& context, std::string task_id) override;

 private:
  delivery::BusService& service_;
};

}  // namespace blender_bus::tools
