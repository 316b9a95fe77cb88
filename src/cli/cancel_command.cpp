#include "cli/cancel_command.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "cli/bus_record.hpp"
#include "cli/client_profile.hpp"
#include "cli/command_runner.hpp"
#include "cli/job_status.hpp"
#include "cli/json_field.hpp"
#include "cli/mcp_client.hpp"
#include "cli/send_target.hpp"

namespace blender_bus::cli {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr int kCancelled = 0;
constexpr int kNotCancelled = 1;
constexpr int kNoAnswer = 2;
constexpr int kCouldNotSend = 3;
// A long poll is cut into pieces this long, so that Ctrl-C is seen soon.
constexpr double kPollSeconds = 2;

struct CancelOptions {
  ConnectionOptions connection;
  std::string job_id;
  std::string target = "type:blender";
  double timeout_s = 10;
};

asio::awaitable<JobStatus> job_status(McpClient& client, const std::string& job_id,
                                      double wait_seconds) {
  json::object arguments;  // (GCC 12 rejects braced lists inside co_await calls)
  arguments["job_id"] = job_id;
  arguments["wait_seconds"] = wait_seconds;
  auto answer = co_await client.call_tool("blender_job_status", std::move(arguments));
  if (answer.is_error) throw std::runtime_error("blender_job_status failed: " + answer.text);
  co_return JobStatus::from_answer(answer.value);
}

// Says what the job's update after the cancel means, and the exit status.
int report(const std::string& job_id, const JobStatus& now) {
  JobUpdate update;
  update.progress = now.progress;
  update.progress_message = now.progress_message;
  const std::string progress = update.progress_text();
  if (now.status == "cancelled") {
    std::cerr << "job " << job_id << " cancelled" << (now.error.empty() ? "" : ": " + now.error)
              << "\n";
    return kCancelled;
  }
  if (now.is_final()) {
    std::cerr << "job " << job_id << " had already ended (" << now.status
              << "): nothing to cancel\n";
    return kNotCancelled;
  }
  std::cerr << "job " << job_id << " is still " << now.status
            << (progress.empty() ? "" : ": " + progress) << "\n";
  return kNotCancelled;
}

asio::awaitable<int> run_cancel(const CancelOptions& options, CommandContext& context) {
  const auto target = SendTarget::parse(options.target);
  auto profile = co_await open_profile(context.executor(), options.connection);
  McpClientOptions client_options;
  client_options.client_name = "blender-bus cancel";
  McpClient client(context.executor(), profile.server, profile.auth, client_options);
  co_await client.connect();

  const JobStatus before = co_await job_status(client, options.job_id, 0);
  if (before.found && before.is_final()) {
    const int code = report(options.job_id, before);
    co_await client.close();
    co_return code;
  }

  json::object arguments = target.routing_arguments();
  arguments["payload"] = json::object{{"message_type", "job_cancel"}, {"job_id", options.job_id}};
  auto sent = co_await client.call_tool("blender_send_message", std::move(arguments));
  const auto* answer = sent.value.if_object();
  if (sent.is_error || answer == nullptr || string_field(*answer, "status") != "ok") {
    std::cerr << "blender-bus cancel: not sent: " << sent.text << "\n";
    co_return kCouldNotSend;
  }
  const auto* targets = answer->if_contains("targets");
  const std::size_t count = targets && targets->is_array() ? targets->as_array().size() : 0;
  if (count == 0) {
    std::cerr << "blender-bus cancel: no client at " << target.describe()
              << ": nobody could cancel job " << options.job_id << "\n";
    co_await client.close();
    co_return kCouldNotSend;
  }
  std::cerr << "asked " << count << " client(s) at " << target.describe() << " to cancel job "
            << options.job_id << "\n";

  // The first change of the job's state after the cancel is the answer of
  // the client that holds it (the others do not know the job and say nothing).
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(options.timeout_s));
  int code = kNoAnswer;
  while (!context.interrupted()) {
    const double left =
        std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    const JobStatus now = co_await job_status(client, options.job_id, std::min(left, kPollSeconds));
    if (now.found && now != before) {
      code = report(options.job_id, now);
      break;
    }
  }
  co_await client.close();
  if (code == kNoAnswer) {
    std::cerr << "blender-bus cancel: no answer about job " << options.job_id << " within "
              << options.timeout_s << " s (no client at " << target.describe()
              << " holds it, or it is not connected)\n";
  }
  co_return code;
}

}  // namespace

void add_cancel_command(CLI::App& app) {
  auto options = std::make_shared<CancelOptions>();
  auto* command = app.add_subcommand(
      "cancel",
      "Ask the Blender clients to cancel a job that has not started.\n"
      "Exit status: 0 cancelled, 1 not cancelled (running or already ended), 2 no answer, "
      "3 could not send.");
  command->add_option("job_id", options->job_id, "the job's id (job-…)")->required();
  command
      ->add_option("--target", options->target,
                   "where the job went: uuid:X, group:X, type:X or broadcast (default "
                   "type:blender)")
      ->check(SendTarget::check);
  command->add_option("--timeout", options->timeout_s, "seconds to wait for an answer (default 10)")
      ->check(CLI::PositiveNumber);
  add_connection_options(*command, options->connection);
  command->callback([options] {
    const int status = run_command(
        "cancel", [options](CommandContext& context) { return run_cancel(*options, context); },
        kCouldNotSend);
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace blender_bus::cli
