#include "delivery/jetstream/directory_values.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace blender_bus::delivery::jetstream {

namespace {

namespace json = boost::json;

const json::object* object_of(std::string_view text, json::value& storage) {
  boost::system::error_code error;
  storage = json::parse(text, error);
  return error ? nullptr : storage.if_object();
}

std::optional<std::string> optional_string(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::string string_or_empty(const json::object& object, std::string_view key) {
  return optional_string(object, key).value_or("");
}

double number_or_zero(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value) return 0;
  if (value->is_double()) return value->get_double();
  if (value->is_int64()) return static_cast<double>(value->get_int64());
  if (value->is_uint64()) return static_cast<double>(value->get_uint64());
  return 0;
}

json::value optional_json(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

}  // namespace

std::string client_value(const bus::ClientInfo& info) {
  json::object out;
  out["uuid"] = info.uuid;
  out["client_type"] = info.client_type;
  out["is_persistent"] = info.is_persistent;
  json::array capabilities;
  for (const auto& capability : info.capabilities) capabilities.emplace_back(capability);
  out["capabilities"] = std::move(capabilities);
  out["group_id"] = optional_json(info.group_id);
  out["connected_at"] = info.connected_at;
  out["last_seen"] = info.last_seen;
  out["label"] = optional_json(info.label);
  out["holder"] = info.session_id;
  return json::serialize(out);
}

std::optional<bus::ClientInfo> parse_client_value(std::string_view text) {
  json::value storage;
  const auto* object = object_of(text, storage);
  if (!object) return std::nullopt;
  auto uuid = optional_string(*object, "uuid");
  const auto* persistent = object->if_contains("is_persistent");
  if (!uuid || uuid->empty() || !persistent || !persistent->is_bool()) return std::nullopt;
  bus::ClientInfo info;
  info.uuid = std::move(*uuid);
  info.client_type = string_or_empty(*object, "client_type");
  info.is_persistent = persistent->get_bool();
  if (const auto* capabilities = object->if_contains("capabilities");
      capabilities && capabilities->is_array()) {
    for (const auto& capability : capabilities->get_array()) {
      if (capability.is_string()) info.capabilities.emplace_back(capability.get_string());
    }
  }
  info.group_id = optional_string(*object, "group_id");
  info.connected_at = number_or_zero(*object, "connected_at");
  info.last_seen = number_or_zero(*object, "last_seen");
  info.label = optional_string(*object, "label");
  info.session_id = string_or_empty(*object, "holder");
  return info;
}

std::string presence_value(const PresenceValue& presence) {
  json::object out;
  out["node"] = presence.node;
  out["holder"] = presence.holder;
  out["since"] = presence.since;
  return json::serialize(out);
}

std::optional<PresenceValue> parse_presence_value(std::string_view text) {
  json::value storage;
  const auto* object = object_of(text, storage);
  if (!object) return std::nullopt;
  auto node = optional_string(*object, "node");
  if (!node || node->empty()) return std::nullopt;
  return PresenceValue{std::move(*node), string_or_empty(*object, "holder"),
                       number_or_zero(*object, "since")};
}

std::string job_value(const bus::JobState& job) {
  json::object out;
  out["job_id"] = job.job_id;
  out["originator"] = job.originator;
  out["status"] = job.status;
  out["result"] = job.result;
  out["error"] = job.error;
  out["progress"] = job.progress ? json::value(*job.progress) : json::value(nullptr);
  out["progress_message"] = optional_json(job.progress_message);
  out["target"] = job.target;
  out["opened_at"] = job.opened_at;
  out["updated_at"] = job.updated_at;
  return json::serialize(out);
}

std::optional<bus::JobState> parse_job_value(std::string_view text) {
  json::value storage;
  const auto* object = object_of(text, storage);
  if (!object) return std::nullopt;
  auto job_id = optional_string(*object, "job_id");
  if (!job_id || job_id->empty()) return std::nullopt;
  bus::JobState job;
  job.job_id = std::move(*job_id);
  job.originator = string_or_empty(*object, "originator");
  job.status = optional_string(*object, "status").value_or("pending");
  job.result = string_or_empty(*object, "result");
  job.error = string_or_empty(*object, "error");
  if (const auto* progress = object->if_contains("progress");
      progress && (progress->is_double() || progress->is_int64() || progress->is_uint64())) {
    job.progress = number_or_zero(*object, "progress");
  }
  job.progress_message = optional_string(*object, "progress_message");
  job.target = string_or_empty(*object, "target");
  job.opened_at = number_or_zero(*object, "opened_at");
  job.updated_at = number_or_zero(*object, "updated_at");
  return job;
}

}  // namespace blender_bus::delivery::jetstream
