#include "bus/forwarded_record.hpp"

#include "json/python_float.hpp"
#include "json/serializer.hpp"

namespace blender_bus::bus {

using blender_bus::json::append_quoted;

ForwardedRecord::ForwardedRecord(const RecordFields& f) {
  prefix_.reserve(160 + f.user_id.size() + f.from_uuid.size());
  prefix_ = R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":)";
  append_quoted(prefix_, to_string(f.priority));
  prefix_ += R"(,"logger":"_message_bus","data":{"user_id":)";
  append_quoted(prefix_, f.user_id);
  prefix_ += R"(,"from_uuid":)";
  append_quoted(prefix_, f.from_uuid);
  prefix_ += R"(,"target_uuid":)";

  suffix_.reserve(f.payload_json.size() + f.job_id.size() + f.message_id.size() + 160);
  suffix_ += R"(,"routing":)";
  blender_bus::json::append_text(suffix_, f.routing);
  suffix_ += R"(,"payload":)";
  suffix_ += f.payload_json;
  suffix_ += R"(,"job_id":)";
  append_quoted(suffix_, f.job_id);
  suffix_ += R"(,"message_id":)";
  append_quoted(suffix_, f.message_id);
  suffix_ += R"(,"priority":)";
  suffix_ += std::to_string(static_cast<int>(f.priority));
  suffix_ += R"(,"timestamp":)";
  blender_bus::json::append_python_float(suffix_, f.timestamp);
  if (!f.bus_id.empty()) {
    suffix_ += R"(,"bus_id":)";
    append_quoted(suffix_, f.bus_id);
  }
  suffix_ += "}}}";
}

std::string ForwardedRecord::for_target(std::string_view target_uuid) const {
  std::string out;
  out.reserve(prefix_.size() + target_uuid.size() + 2 + suffix_.size());
  out += prefix_;
  append_quoted(out, target_uuid);
  out += suffix_;
  return out;
}

}  // namespace blender_bus::bus
