// The blender_dispatch_script prompt (SPEC §10): tells an assistant how to run
// a script on a Blender client through the bus and wait for its result.
#include <array>

#include "bus/priority.hpp"
#include "json/serializer.hpp"
#include "mcp/dispatcher.hpp"
#include "tools/bus_tools.hpp"

namespace blender_bus::tools {

namespace json = boost::json;

namespace {

std::string optional_text(const json::object& args, std::string_view name) {
  const json::value* v = args.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Where the prompt sends the script: the original's target spec.
struct TargetSpec {
  std::string_view argument;  // blender_send_message's routing argument; empty: broadcast
  std::string value;
  std::string description;  // for the assistant, e.g. `the Blender client "b-1"`
};

// uuid:X, group:X, type:X (X not empty) or broadcast; anything else is an
// invalid target spec, answered as invalid params.
TargetSpec parse_target_spec(std::string_view spec) {
  struct Kind {
    std::string_view prefix, argument, description;
  };
  static constexpr std::array<Kind, 3> kKinds{{
      {"uuid:", "target_uuid", "the Blender client"},
      {"group:", "group_id", "every client of group"},
      {"type:", "client_type", "every client of type"},
  }};
  if (spec == "broadcast") return {"", "", "every other client on your bus (a broadcast)"};
  for (const Kind& kind : kKinds) {
    if (spec.starts_with(kind.prefix) && spec.size() > kind.prefix.size()) {
      std::string value(spec.substr(kind.prefix.size()));
      std::string description = std::string(kind.description) + " \"" + value + "\"";
      return {kind.argument, std::move(value), std::move(description)};
    }
  }
  throw mcp::InvalidParams("Invalid target spec: '" + std::string(spec) +
                           "' (use uuid:<client_uuid>, group:<group_id>, type:<client_type> "
                           "or broadcast)");
}

json::object render(delivery::embedded::BusManager& buses, const json::object& args) {
  const TargetSpec target = parse_target_spec(optional_text(args, "target"));
  const std::string script = optional_text(args, "script");
  const std::string description = optional_text(args, "description");
  std::string priority = optional_text(args, "priority");
  std::string priority_note;
  if (priority.empty()) {
    priority = "info";
  } else if (auto level = bus::parse_priority(priority)) {
    priority = std::string(bus::to_string(*level));
  } else {
    // A prompt cannot fail the request here, so the assistant is told instead.
    priority_note = "Note: " + bus::unknown_priority_error(priority) +
                    "; use one of emergency, alert, critical, error, warning, notice, info, "
                    "debug.\n\n";
  }

  const std::string job_id = "job-" + buses.new_id();
  json::object payload{{"message_type", "job_dispatch"}, {"job_id", job_id}, {"script", script}};
  if (!description.empty()) payload["description"] = description;
  json::object send_args;
  if (!target.argument.empty()) send_args[target.argument] = target.value;
  send_args["payload"] = std::move(payload);
  send_args["priority"] = priority;
  send_args["from_uuid"] = "<your client_uuid>";

  std::string text;
  text += "Run a Python script on " + target.description +
          " through the blender-bus message bus, then report its result.\n\n";
  text += priority_note;
  text +=
      "1. If you have not registered in this MCP session, call blender_register_client with "
      "{\"client_uuid\": \"<a unique id, e.g. llm-…>\", \"client_type\": \"llm\"}.\n";
  text +=
      "2. Call blender_send_message with these arguments, putting your client_uuid in "
      "from_uuid so the job's updates come back to you directly:\n";
  text += blender_bus::json::to_text(send_args);
  text += "\n";
  text +=
      "3. If the result's \"targets\" is [], no client matched on your bus: call "
      "blender_list_available_clients and tell the user which clients are available.\n";
  text +=
      "4. Wait for notifications/message records with logger \"_message_bus\" whose "
      "data.payload.kind is \"job_update\" and data.job_id is \"" +
      job_id +
      "\". Each Blender client that runs it replies. Status \"running\" is progress "
      "(payload.progress, "
      "0 to 1, and payload.progress_message when the worker reports them); \"completed\" carries "
      "the output in "
      "payload.result; \"failed\" carries payload.error; \"cancelled\" means it was "
      "stopped. Report the final status and output to the user.\n";

  std::string summary = "Dispatch a script to " + target.description;
  if (!description.empty()) summary += ": " + description;
  return json::object{
      {"description", std::move(summary)},
      {"messages",
       json::array{json::object{{"role", "user"},
                                {"content", json::object{{"type", "text"}, {"text", text}}}}}},
  };
}

}  // namespace

mcp::PromptDefinition make_dispatch_script_prompt(delivery::embedded::BusManager& buses) {
  return {
      "blender_dispatch_script",
      "Send a Python script to a Blender client as a job_dispatch and wait for its job_update.",
      {
          {"target",
           "Where to run it: uuid:<client_uuid>, group:<group_id>, type:<client_type> or "
           "broadcast.",
           true},
          {"script", "The Python (bpy) script to run.", true},
          {"priority", "Message priority (default info).", false},
          {"description", "What the script does, for the Blender side.", false},
      },
      [&buses](mcp::CallContext&, const json::object& args) { return render(buses, args); },
  };
}

}  // namespace blender_bus::tools
