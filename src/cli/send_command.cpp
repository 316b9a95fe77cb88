#include "cli/send_command.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "cli/bus_record.hpp"
#include "cli/client_profile.hpp"
#include "cli/command_runner.hpp"
#include "cli/event_stream.hpp"
#include "cli/exit_status.hpp"
#include "cli/mcp_client.hpp"
#include "cli/random_id.hpp"
#include "cli/reply_tracker.hpp"
#include "cli/send_audience.hpp"
#include "cli/send_target.hpp"

namespace blender_bus::cli {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr int kCouldNotSend = exit_status::could_not_send;

struct SendOptions {
  ConnectionOptions connection;
  std::string target;
  std::string script;
  std::string description;
  std::string priority = "info";
  double timeout_s = 60;
  bool wait_all = false;  // broadcast/type: wait for clients that run no jobs too
};

// The whole script, read before anything is sent (stdin to its end, so a
// writer is never cut off half-way). An empty one is refused: from stdin it
// usually means stdin was closed or never connected.
std::string read_script(const std::string& source) {
  std::string script;
  if (source == "-") {
    script.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (script.empty()) throw std::runtime_error("no script on stdin (it was empty or closed)");
    return script;
  }
  std::ifstream in(source, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read script " + source);
  std::ostringstream text;
  text << in.rdbuf();
  script = text.str();
  if (script.empty()) throw std::runtime_error("script " + source + " is empty");
  return script;
}

std::string status_of(const json::value& value) {
  if (const auto* object = value.if_object()) {
    if (const auto* status = object->if_contains("status"); status && status->is_string()) {
      return std::string(status->as_string());
    }
  }
  return {};
}

std::string error_of(const ToolCallResult& result) {
  if (const auto* object = result.value.if_object()) {
    if (const auto* error = object->if_contains("error"); error && error->is_string()) {
      return std::string(error->as_string());
    }
  }
  return result.text;
}

void print_block(std::ostream& out, const std::string& text) {
  if (text.empty()) return;
  out << text;
  if (text.back() != '\n') out << '\n';
}

std::string label_of(const JobUpdate& update, const SendAudience& audience) {
  return update.client_uuid.empty() ? std::string("a client") : audience.label(update.client_uuid);
}

// Prints what the user waits for: progress and errors on stderr, each
// reply's result on stdout (so `send … > out.txt` keeps just the results).
// Each line names its client; with several awaited, so does a header line
// before each result on stdout ("==> uuid (group g) <==", as head(1) does).
void report(const JobUpdate& update, ReplyTracker::Seen seen, const ReplyTracker& tracker,
            const SendAudience& audience) {
  const std::string label = label_of(update, audience);
  if (seen == ReplyTracker::Seen::progress) {
    const std::string progress = update.progress_text();
    std::cerr << "[" << update.status << "] " << label << (progress.empty() ? "" : " " + progress)
              << " (" << tracker.replies() << " of " << tracker.expected() << " answered)\n";
    print_block(std::cerr, update.result);
    return;
  }
  if (seen == ReplyTracker::Seen::reply) {
    std::cerr << "[" << update.status << "] " << label << ": reply " << tracker.replies() << " of "
              << tracker.expected() << "\n";
    std::cerr.flush();
    if (tracker.expected() > 1) std::cout << "==> " << label << " <==\n";
    print_block(std::cout, update.result);
    std::cout.flush();
    print_block(std::cerr, update.error);
  }
}

// Leaves the bus tidily; an ephemeral client would also leave with its
// session, so a failure here changes nothing for the result.
asio::awaitable<void> leave_bus(McpClient& client, const std::string& client_uuid) {
  bool tidy = true;
  try {
    json::object leaving;
    leaving["client_uuid"] = client_uuid;
    co_await client.call_tool("blender_unregister_client", std::move(leaving));
    co_await client.close();
  } catch (const std::exception&) {
    tidy = false;
  }
  if (!tidy) std::cerr << "blender-bus send: could not close the session (it will expire)\n";
}

asio::awaitable<int> run_send(const SendOptions& options, CommandContext& context) {
  const auto target = SendTarget::parse(options.target);
  const std::string script = read_script(options.script);
  auto executor = context.executor();
  auto profile = co_await open_profile(executor, options.connection);

  McpClientOptions client_options;
  client_options.client_name = "blender-bus send";
  McpClient client(executor, profile.server, profile.auth, client_options);
  co_await client.connect();
  // The stream is open before anything is sent, so no reply can go by unseen.
  EventStream stream(client);
  co_await stream.open();

  const std::string client_uuid = "cli-" + random_uuid();
  json::object registration;  // (GCC 12 rejects braced lists inside co_await calls)
  registration["client_uuid"] = client_uuid;
  registration["client_type"] = "llm";
  registration["is_persistent"] = false;
  auto registered = co_await client.call_tool("blender_register_client", std::move(registration));
  if (registered.is_error || status_of(registered.value) != "ok") {
    std::cerr << "blender-bus send: registration refused: " << error_of(registered) << "\n";
    co_return kCouldNotSend;
  }

  const std::string job_id = "job-" + random_uuid();
  json::object payload{{"message_type", "job_dispatch"}, {"job_id", job_id}, {"script", script}};
  if (!options.description.empty()) payload["description"] = options.description;
  json::object arguments = target.routing_arguments();
  arguments["payload"] = std::move(payload);
  arguments["priority"] = options.priority;
  // Replies are routed straight back to this client (SPEC §8).
  arguments["from_uuid"] = client_uuid;
  auto sent = co_await client.call_tool("blender_send_message", std::move(arguments));
  if (sent.is_error || status_of(sent.value) != "ok") {
    std::cerr << "blender-bus send: not sent: " << error_of(sent) << "\n";
    co_return kCouldNotSend;
  }
  std::vector<std::string> targets;
  if (const auto* list = sent.value.as_object().if_contains("targets"); list && list->is_array()) {
    for (const auto& uuid : list->as_array()) {
      if (uuid.is_string()) targets.emplace_back(uuid.as_string());
    }
  }
  if (targets.empty()) {
    std::cerr << "blender-bus send: no client matches " << options.target << ": " << job_id
              << " went to nobody (`blender-bus clients` lists the clients)\n";
    co_await leave_bus(client, client_uuid);
    co_return kCouldNotSend;
  }
  // A broadcast or type send also reaches clients that never run a job (a
  // listener, an assistant): unless --wait-all, only those that do are awaited.
  auto listing = co_await client.call_tool("blender_list_available_clients", json::object{});
  const bool only_job_runners = !options.wait_all && (target.kind == SendTarget::Kind::broadcast ||
                                                      target.kind == SendTarget::Kind::type);
  const SendAudience audience(
      targets, listing.value.is_object() ? listing.value.as_object() : json::object{},
      only_job_runners);
  std::cerr << "sent " << job_id << " to " << targets.size() << " client(s):";
  for (const auto& uuid : targets) std::cerr << " " << audience.label(uuid);
  std::cerr << "\n";
  if (audience.awaited().empty()) {
    std::cerr << "blender-bus send: none of them runs jobs (capability " << SendAudience::kRunsJobs
              << "); --wait-all waits for them anyway\n";
    co_await leave_bus(client, client_uuid);
    co_return kCouldNotSend;
  }
  if (audience.skipped() > 0) {
    std::cerr << "waiting for the " << audience.awaited().size() << " that run jobs ("
              << audience.skipped() << " without " << SendAudience::kRunsJobs
              << "; --wait-all waits for every one)\n";
  }

  ReplyTracker tracker(job_id, audience.awaited());
  asio::steady_timer deadline(executor);
  deadline.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(options.timeout_s)));
  asio::steady_timer reader_finished(executor, asio::steady_timer::time_point::max());
  bool reader_done = false;
  std::exception_ptr reader_error;

  context.on_interrupt([&] { deadline.cancel(); });
  asio::co_spawn(executor, stream.run([&](json::object& params, const SseEvent&) {
    auto record = BusRecord::from_params(params);
    if (!record) return;
    auto update = JobUpdate::from_record(*record);
    if (!update) return;
    const auto seen = tracker.observe(*update);
    report(*update, seen, tracker, audience);
    if (tracker.complete()) deadline.cancel();
  }),
                 [&](std::exception_ptr error) {
                   reader_error = error;
                   reader_done = true;
                   deadline.cancel();
                   reader_finished.cancel();
                 });
  co_await deadline.async_wait(asio::as_tuple(asio::use_awaitable));
  stream.stop();
  if (!reader_done) co_await reader_finished.async_wait(asio::as_tuple(asio::use_awaitable));

  co_await leave_bus(client, client_uuid);

  if (reader_error && !tracker.complete()) std::rethrow_exception(reader_error);
  if (context.interrupted() && !tracker.complete()) {
    std::cerr << "blender-bus send: interrupted with " << tracker.replies() << " of "
              << tracker.expected() << " replies\n";
    co_return exit_status::interrupted;
  }
  const int code = tracker.exit_code();
  if (code == exit_status::timed_out) {
    std::cerr << "blender-bus send: timed out after " << options.timeout_s
              << " s: " << tracker.replies() << " of " << tracker.expected()
              << " clients answered job " << job_id << "; no answer from";
    for (const auto& uuid : tracker.unanswered()) std::cerr << " " << audience.label(uuid);
    std::cerr << "\n";
  } else if (code == exit_status::failed) {
    std::cerr << "blender-bus send: job " << job_id << " failed on at least one client\n";
  }
  co_return code;
}

}  // namespace

void add_send_command(CLI::App& app) {
  auto options = std::make_shared<SendOptions>();
  auto* command = app.add_subcommand(
      "send",
      "Run a Python script on Blender clients and wait for their answers.\n"
      "Exit status: 0 all completed, 1 any failed, 2 timed out, 3 could not send or no client "
      "matches, 64 usage error.");
  command->add_option("--target", options->target, "uuid:X, group:X, type:X or broadcast")
      ->required()
      ->check(SendTarget::check);
  command->add_option("--script", options->script, "the script file, or - for stdin")->required();
  command->add_option("--description", options->description, "a note sent with the job");
  command->add_option("--priority", options->priority, "emergency…debug, or 0–7 (default info)");
  command->add_option("--timeout", options->timeout_s, "seconds to wait for answers (default 60)")
      ->check(CLI::PositiveNumber);
  command->add_flag("--wait-all", options->wait_all,
                    "broadcast/type: wait for every client reached, not only those with the "
                    "python_execution capability");
  add_connection_options(*command, options->connection);
  command->callback([options] {
    const int status = run_command(
        "send", [options](CommandContext& context) { return run_send(*options, context); },
        kCouldNotSend);
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace blender_bus::cli
