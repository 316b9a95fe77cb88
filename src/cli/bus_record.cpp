#include "cli/bus_record.hpp"

#include <cmath>
#include <cstdio>

#include "cli/json_field.hpp"

namespace blender_bus::cli {

namespace json = boost::json;

std::optional<BusRecord> BusRecord::from_params(const json::object& params) {
  if (string_field(params, "logger") != "_message_bus") return std::nullopt;
  const auto* data = params.if_contains("data");
  if (data == nullptr || !data->is_object()) return std::nullopt;
  return BusRecord{string_field(params, "level"), data->as_object()};
}

std::optional<JobUpdate> JobUpdate::from_record(const BusRecord& record) {
  const auto* payload = record.data.if_contains("payload");
  if (payload == nullptr || !payload->is_object()) return std::nullopt;
  const auto& body = payload->as_object();
  if (string_field(body, "kind") != "job_update") return std::nullopt;
  JobUpdate update;
  update.job_id = string_field(body, "job_id");
  if (update.job_id.empty()) update.job_id = string_field(record.data, "job_id");
  update.status = string_field(body, "status");
  update.result = string_field(body, "result");
  update.error = string_field(body, "error");
  if (const auto* progress = body.if_contains("progress"); progress && progress->is_number()) {
    update.progress = progress->to_number<double>();
  }
  update.progress_message = string_field(body, "progress_message");
  update.client_uuid = string_field(body, "client_uuid");
  return update;
}

bool JobUpdate::is_final() const {
  return status == "completed" || status == "failed" || status == "cancelled";
}

std::string JobUpdate::progress_text() const {
  std::string out;
  if (progress) {
    // One decimal at most: 40%, 12.5%.
    char percent[16];
    const double tenths = std::round(*progress * 1000) / 10;
    std::snprintf(percent, sizeof percent, tenths == std::floor(tenths) ? "%.0f%%" : "%.1f%%",
                  tenths);
    out = percent;
  }
  if (!progress_message.empty()) {
    if (!out.empty()) out += ' ';
    out += progress_message;
  }
  return out;
}

}  // namespace blender_bus::cli
