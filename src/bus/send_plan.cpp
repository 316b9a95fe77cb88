#include "bus/send_plan.hpp"

#include <utility>

#include "bus/shared_bus_id.hpp"
#include "bus/uuid_v4.hpp"
#include "bus/validation.hpp"
#include "json/serializer.hpp"

namespace blender_bus::bus {

namespace {

bool present(const std::optional<std::string>& field) {
  return field && !field->empty();
}

// A client that sends as the server (from_uuid "server:…", the origin a send
// without from_uuid gets) is nobody a job update could reach: no job is
// opened for it, as in the original, and its update broadcasts.
bool job_opened_by(const std::optional<std::string>& from_uuid) {
  return present(from_uuid) && !from_uuid->starts_with("server:");
}

// The records' user: the caller on a shared bus, the bus's own user otherwise.
std::string record_user(std::string_view caller, std::string_view bus_id) {
  return std::string(caller.empty() ? bus_id : caller);
}

// The "bus_id" a record carries: a shared bus's wire id, nothing on a personal bus.
std::string_view record_bus_id(std::string_view bus_id) {
  return is_shared_bus(bus_id) ? wire_bus_id(bus_id) : std::string_view{};
}

}  // namespace

ForwardedRecord SendPlan::record(std::string_view bus_id) const {
  const boost::json::object routing_json = routing.to_json();
  return ForwardedRecord(RecordFields{user_id, origin, routing_json, payload_json, job_id,
                                      message_id, priority, timestamp, record_bus_id(bus_id)});
}

ForwardedRecord JobUpdatePlan::record(std::string_view bus_id, std::string_view job_id,
                                      const Routing& routing) const {
  const boost::json::object routing_json = routing.to_json();
  return ForwardedRecord(RecordFields{user_id, origin, routing_json, payload_json, job_id,
                                      message_id, Priority::notice, timestamp,
                                      record_bus_id(bus_id)});
}

std::variant<SendPlan, Refusal> plan_send(const boost::json::object& payload,
                                          const SendRequest& request, std::string_view bus_id,
                                          const Limits& limits, const RandomSource& random,
                                          double now) {
  // SPEC §5: the priority is checked before anything is routed, and answered
  // with the original's exact error (a normal result, not isError).
  const auto priority = parse_priority(request.priority);
  if (!priority) return Refusal{unknown_priority_error(request.priority), false};
  for (const auto& [field, value] :
       {std::pair{"target_uuid", &request.target_uuid}, std::pair{"group_id", &request.group_id},
        std::pair{"client_type", &request.client_type},
        std::pair{"from_uuid", &request.from_uuid}}) {
    if (auto e = check_optional_length(field, *value, limits.max_id_bytes)) return Refusal{*e};
  }
  SendPlan plan;
  plan.priority = *priority;
  // The one serialization of the payload for the whole send (DESIGN.md).
  plan.payload_json = blender_bus::json::to_text(payload);
  if (plan.payload_json.size() > limits.max_payload_bytes) {
    return Refusal{"payload exceeds " + std::to_string(limits.max_payload_bytes) +
                   " bytes serialized"};
  }
  plan.message_id = make_uuid_v4(random);
  // A client-chosen job id must be a non-empty string to be usable by
  // blender_job_update (whose job_id is a string); anything else falls back.
  plan.job_id = plan.message_id;
  if (const auto* p = payload.if_contains("job_id");
      p && p->is_string() && !p->get_string().empty()) {
    plan.job_id = std::string(p->get_string());
    if (auto e = check_length("payload.job_id", plan.job_id, limits.max_id_bytes)) {
      return Refusal{*e};
    }
  }
  plan.routing = resolve_routing(request.target_uuid, request.group_id, request.client_type);
  plan.user_id = record_user(request.user_id, bus_id);
  plan.origin = origin_of(request.from_uuid, plan.user_id);
  plan.opens_job = job_opened_by(request.from_uuid);
  plan.timestamp = now;
  return plan;
}

std::variant<JobUpdatePlan, Refusal> plan_job_update(const JobUpdate& update,
                                                     std::string_view updater,
                                                     std::string_view bus_id, const Limits& limits,
                                                     const RandomSource& random, double now) {
  // Written as !(in range) so that a NaN is refused too.
  if (update.progress && !(*update.progress >= 0 && *update.progress <= 1)) {
    return Refusal{"progress must be a number from 0 to 1"};
  }
  if (auto e = check_length("job_id", update.job_id, limits.max_id_bytes)) return Refusal{*e};
  boost::json::object payload;
  payload["kind"] = "job_update";
  payload["job_id"] = update.job_id;
  payload["status"] = update.status;
  payload["result"] = update.result;
  payload["error"] = update.error;
  // The newer add-on's fields follow the original five, only when given.
  if (update.progress) payload["progress"] = *update.progress;
  if (update.progress_message) payload["progress_message"] = *update.progress_message;
  if (!updater.empty()) payload["client_uuid"] = updater;
  JobUpdatePlan plan;
  plan.payload_json = blender_bus::json::to_text(payload);
  if (plan.payload_json.size() > limits.max_payload_bytes) {
    return Refusal{"job update exceeds " + std::to_string(limits.max_payload_bytes) +
                   " bytes serialized"};
  }
  plan.message_id = make_uuid_v4(random);
  plan.user_id = record_user(update.user_id, bus_id);
  plan.origin = origin_of(std::nullopt, plan.user_id);
  plan.timestamp = now;
  return plan;
}

}  // namespace blender_bus::bus
