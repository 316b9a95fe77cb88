#include "bus/forwarded_record.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace blender_bus::bus {

namespace {
// A JSON string literal with Boost.JSON's escaping.
std::string quoted(std::string_view s) {
  return boost::json::serialize(boost::json::string_view(s));
}
}  // namespace

ForwardedRecord::ForwardedRecord(const RecordFields& f) {
  prefix_ = R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":)";
  prefix_ += quoted(to_string(f.priority));
  prefix_ += R"(,"logger":"_message_bus","data":{"user_id":)";
  prefix_ += quoted(f.user_id);
  prefix_ += R"(,"from_uuid":)";
  prefix_ += quoted(f.from_uuid);
  prefix_ += R"(,"target_uuid":)";

  const std::string routing = boost::json::serialize(f.routing);
  const std::string job_id = quoted(f.job_id);
  const std::string message_id = quoted(f.message_id);
  const std::string timestamp = boost::json::serialize(boost::json::value(f.timestamp));
  suffix_.reserve(f.payload_json.size() + routing.size() + job_id.size() + message_id.size() +
                  timestamp.size() + 96);
  suffix_ += R"(,"routing":)";
  suffix_ += routing;
  suffix_ += R"(,"payload":)";
  suffix_ += f.payload_json;
  suffix_ += R"(,"job_id":)";
  suffix_ += job_id;
  suffix_ += R"(,"message_id":)";
  suffix_ += message_id;
  suffix_ += R"(,"priority":)";
  suffix_ += std::to_string(static_cast<int>(f.priority));
  suffix_ += R"(,"timestamp":)";
  suffix_ += timestamp;
  suffix_ += "}}}";
}

std::string ForwardedRecord::for_target(std::string_view target_uuid) const {
  const std::string target = quoted(target_uuid);
  std::string out;
  out.reserve(prefix_.size() + target.size() + suffix_.size());
  out += prefix_;
  out += target;
  out += suffix_;
  return out;
}

}  // namespace blender_bus::bus
