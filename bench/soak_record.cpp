#include "soak_record.hpp"

#include <boost/json.hpp>
#include <charconv>

namespace blender_bus::bench {

namespace json = boost::json;

std::optional<json::object> note_record(SoakState& state, const std::string& reader,
                                        const cli::SseEvent& event) {
  boost::system::error_code ec;
  const json::value message = json::parse(event.data, ec);
  const json::object* object = ec ? nullptr : message.if_object();
  const json::value* method = object ? object->if_contains("method") : nullptr;
  if (!method || *method != "notifications/message") {
    state.errors.add("stream: an event that is not notifications/message");
    return std::nullopt;
  }
  std::uint64_t event_id = 0;
  const auto [end, parsed] =
      std::from_chars(event.id.data(), event.id.data() + event.id.size(), event_id);
  if (parsed != std::errc{} || end != event.id.data() + event.id.size()) {
    state.errors.add("stream: a record without a numeric event id");
    return std::nullopt;
  }
  const json::value* params = object->if_contains("params");
  const json::value* data =
      params && params->is_object() ? params->get_object().if_contains("data") : nullptr;
  const json::object* record = data ? data->if_object() : nullptr;
  const json::value* message_id = record ? record->if_contains("message_id") : nullptr;
  const json::value* target = record ? record->if_contains("target_uuid") : nullptr;
  if (!message_id || !message_id->is_string() || !target || !target->is_string()) {
    state.errors.add("stream: a record without message_id or target_uuid");
    return std::nullopt;
  }
  const json::value* payload = record->if_contains("payload");
  if (!payload || !payload->is_object()) {
    state.errors.add("stream: a record without a payload object");
    return std::nullopt;
  }
  // A job update's answer names no message_id: it is known by its job.
  const json::object& content = payload->get_object();
  std::string key(message_id->get_string());
  if (const auto* kind = content.if_contains("kind"); kind && *kind == "job_update") {
    const auto* job = content.if_contains("job_id");
    key = "update:" + (job && job->is_string() ? std::string(job->get_string()) : "?");
  }
  state.ledger.read(reader, event_id, key, target->get_string());
  return content;
}

}  // namespace blender_bus::bench
