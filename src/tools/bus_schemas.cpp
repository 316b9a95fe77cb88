#include "tools/bus_schemas.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace blender_bus::tools {

namespace json = boost::json;

namespace {

// Every optional parameter also takes null, meaning its default: the
// original types most of them Optional[...], and a client that sends null
// for one of the others means the same.
json::array or_null(std::initializer_list<std::string_view> types) {
  json::array out;
  for (auto type : types) out.emplace_back(type);
  out.emplace_back("null");
  return out;
}

// Identifiers carry no maxLength: their limit is in bytes (bus::Limits), which
// a schema cannot say, and the bus's refusal names the field in the tools'
// own {"status":"error"} shape. The description states it.
std::string with_limit(std::string_view description, std::size_t max_bytes) {
  return std::string(description) + " At most " + std::to_string(max_bytes) + " bytes.";
}

json::object string_prop(std::size_t max_bytes, std::string_view description) {
  return {{"type", "string"}, {"description", with_limit(description, max_bytes)}};
}

json::object nullable_string_prop(std::size_t max_bytes, std::string_view description) {
  return {{"type", or_null({"string"})},
          {"default", nullptr},
          {"description", with_limit(description, max_bytes)}};
}

json::object object_schema(json::object properties, json::array required) {
  json::object out{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) out["required"] = std::move(required);
  return out;
}

}  // namespace

json::object register_client_schema(const bus::Limits& limits) {
  json::object uuid = string_prop(limits.max_id_bytes,
                                  "Your sticky client id; messages for it reach this MCP session.");
  uuid["minLength"] = 1;
  return object_schema(
      {
          {"client_uuid", std::move(uuid)},
          {"client_type", string_prop(limits.max_id_bytes,
                                      "\"blender\" for Blender peers, \"llm\" for assistants; "
                                      "any string is allowed.")},
          {"is_persistent",
           {{"type", or_null({"boolean"})},
            {"default", false},
            {"description",
             "true for long-lived peers (Blender); false (ephemeral) leaves with the session. "
             "Fixed at first registration."}}},
          {"capabilities",
           {{"type", or_null({"array"})},
            {"items", {{"type", "string"}}},
            {"default", json::array{}},
            {"description", "Free-form, e.g. python_execution, rendering. At most " +
                                std::to_string(limits.max_capabilities) + ", each at most " +
                                std::to_string(limits.max_id_bytes) + " bytes."}}},
          {"group_id", nullable_string_prop(limits.max_id_bytes,
                                            "Optional group, addressable with group routing.")},
          {"label", nullable_string_prop(limits.max_label,
                                         "A human name for this machine, e.g. \"Studio PC\"; "
                                         "shown in client listings.")},
      },
      {"client_uuid", "client_type"});
}

json::object unregister_client_schema(const bus::Limits& limits) {
  return object_schema(
      {{"client_uuid", string_prop(limits.max_id_bytes, "The client to remove from your bus.")}},
      {"client_uuid"});
}

json::object send_message_schema(const bus::Limits& limits) {
  return object_schema(
      {
          {"payload",
           {{"type", "object"},
            {"description",
             "Any JSON object, delivered as is. A job: {\"message_type\":\"job_dispatch\","
             "\"job_id\":\"job-…\",\"script\":\"import bpy\\n…\"}."}}},
          {"target_uuid",
           nullable_string_prop(limits.max_id_bytes, "Direct: the one client with this uuid.")},
          {"group_id",
           nullable_string_prop(limits.max_id_bytes,
                                "Group: every client of this group, the sender included.")},
          {"client_type",
           nullable_string_prop(limits.max_id_bytes,
                                "Type filter: every client of this type, the sender included.")},
          {"priority",
           {{"type", or_null({"string", "integer"})},
            {"default", "info"},
            {"description",
             "emergency, alert, critical, error, warning, notice, info or debug (or in "
             "capitals, or 0-7)."}}},
          {"from_uuid",
           nullable_string_prop(limits.max_id_bytes,
                                "Your client uuid: job updates for this job come back to you, "
                                "and a broadcast skips you.")},
      },
      {"payload"});
}

json::object job_update_schema() {
  return object_schema(
      {
          {"job_id", {{"type", "string"}, {"description", "The job_id of the job_dispatch."}}},
          {"status",
           {{"type", "string"},
            {"description",
             "running, completed, failed, cancelled, …; the last three end the job."}}},
          {"result",
           {{"type", or_null({"string"})}, {"default", ""}, {"description", "Output, if any."}}},
          {"error",
           {{"type", or_null({"string"})},
            {"default", ""},
            {"description", "Error text, if any."}}},
          {"progress",
           {{"type", or_null({"number"})},
            {"minimum", 0},
            {"maximum", 1},
            {"default", nullptr},
            {"description", "How far the job is, from 0 to 1; passed on to the job's sender."}}},
          {"progress_message",
           {{"type", or_null({"string"})},
            {"default", nullptr},
            {"description", "What the job is doing, e.g. \"frame 3 of 10\"."}}},
      },
      {"job_id", "status"});
}

json::object list_available_clients_schema() {
  return object_schema({}, {});
}

json::object receive_messages_schema(const bus::Limits& limits) {
  json::object uuid = string_prop(limits.max_id_bytes, "The client whose inbox to read.");
  uuid["minLength"] = 1;
  return object_schema(
      {
          {"client_uuid", std::move(uuid)},
          {"after",
           {{"type", or_null({"integer"})},
            {"minimum", 0},
            {"description",
             "Cursor: return records after it, and acknowledge those up to it. Pass the "
             "previous answer's \"next\". Default: from the oldest undelivered record."}}},
          {"wait_seconds",
           {{"type", or_null({"number"})},
            {"minimum", 0},
            {"maximum", 50},
            {"default", 0},
            {"description", "Long-poll: wait up to this long for a first record."}}},
          {"limit",
           {{"type", or_null({"integer"})},
            {"minimum", 1},
            {"maximum", 500},
            {"default", 100},
            {"description", "At most this many records."}}},
      },
      {"client_uuid"});
}

json::object job_status_schema() {
  return object_schema(
      {
          {"job_id", {{"type", "string"}, {"minLength", 1}, {"description", "The job's id."}}},
          {"wait_seconds",
           {{"type", or_null({"number"})},
            {"minimum", 0},
            {"maximum", 50},
            {"default", 0},
            {"description", "Long-poll: wait up to this long for the job's status to change."}}},
      },
      {"job_id"});
}

json::object with_bus_id(json::object schema) {
  schema["properties"].as_object()["bus_id"] = {
      {"type", or_null({"string"})},
      {"default", nullptr},
      {"description",
       "A shared bus you are a member of (blender_bus_list); absent or null: your personal "
       "bus."}};
  return schema;
}

namespace {

json::object bus_id_prop() {
  return {{"type", "string"}, {"minLength", 1}, {"description", "The shared bus's bus_id."}};
}

json::object username_prop(std::string_view description) {
  return {{"type", "string"}, {"minLength", 1}, {"description", description}};
}

}  // namespace

json::object bus_create_schema() {
  return object_schema({{"name",
                         {{"type", "string"},
                          {"minLength", 1},
                          {"maxLength", 200},
                          {"description", "A name for the bus, e.g. \"studio farm\"."}}}},
                       {"name"});
}

json::object bus_list_schema() {
  return object_schema({}, {});
}

json::object bus_invite_schema() {
  return object_schema(
      {{"bus_id", bus_id_prop()},
       {"username", username_prop("The user the invitation is for (only they can use it).")},
       {"role",
        {{"type", "string"},
         {"enum", json::array{"member", "guest"}},
         {"description",
          "member: sends jobs and runs them; guest: runs jobs, cannot send messages."}}}},
      {"bus_id", "username", "role"});
}

json::object bus_join_schema() {
  return object_schema(
      {{"code", {{"type", "string"}, {"minLength", 1}, {"description", "The invitation's code."}}}},
      {"code"});
}

json::object bus_members_schema() {
  return object_schema({{"bus_id", bus_id_prop()}}, {"bus_id"});
}

json::object bus_remove_member_schema() {
  return object_schema(
      {{"bus_id", bus_id_prop()}, {"username", username_prop("The member to take off the bus.")}},
      {"bus_id", "username"});
}

json::object bus_set_role_schema() {
  return object_schema({{"bus_id", bus_id_prop()},
                        {"username", username_prop("The member whose role changes.")},
                        {"role",
                         {{"type", "string"},
                          {"enum", json::array{"owner", "member", "guest"}},
                          {"description", "owner passes on (or shares) ownership."}}}},
                       {"bus_id", "username", "role"});
}

json::object bus_leave_schema() {
  return object_schema({{"bus_id", bus_id_prop()}}, {"bus_id"});
}

}  // namespace blender_bus::tools
