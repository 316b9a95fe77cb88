// Tool arguments against their schemas: what mcp::Dispatcher checks before a
// handler runs (no number beyond the double range, json/non_finite, then
// mcp/schema_validator with the real inputSchemas of tools/bus_schemas, as
// registered), then tools/tool_arguments and the tool itself on an in-memory
// bus. The first byte picks the tool; the rest is its arguments as JSON.
//
// Invariants: a refusal names the offending field (or "arguments"); arguments
// the schema accepts never make a reader throw (the readers treat a mismatch
// as a programming error) and never make the tool throw; the tool answers
// with a well-formed CallToolResult.
#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "bus_world.hpp"
#include "json/non_finite.hpp"
#include "mcp/schema_validator.hpp"
#include "tools/tool_arguments.hpp"

namespace {

namespace json = boost::json;
namespace mcp = blender_bus::mcp;
namespace tools = blender_bus::tools;
using blender_bus::fuzz::BusWorld;

bool has_type(const json::object& property, std::string_view type) {
  const auto* declared = property.if_contains("type");
  if (!declared) return false;
  if (declared->is_string()) return declared->get_string() == type;
  if (!declared->is_array()) return false;
  for (const auto& t : declared->get_array()) {
    if (t.is_string() && t.get_string() == type) return true;
  }
  return false;
}

// Reads every declared property the way the tools' readers would, by its
// declared type. Returns the first exception's message, if any.
std::string read_all(const json::object& arguments, const json::object& schema) {
  const auto& properties = schema.at("properties").as_object();
  std::vector<std::string_view> required;
  if (const auto* r = schema.if_contains("required")) {
    for (const auto& name : r->as_array()) required.push_back(name.as_string());
  }
  for (const auto& [name, value] : properties) {
    const auto& property = value.as_object();
    const bool is_required = std::find(required.begin(), required.end(), name) != required.end();
    try {
      if (has_type(property, "string") && has_type(property, "integer")) {
        (void)tools::priority_arg(arguments, name);
      } else if (has_type(property, "string") && has_type(property, "null")) {
        (void)tools::nullable_string_arg(arguments, name);
      } else if (has_type(property, "string")) {
        if (is_required) {
          (void)tools::string_arg(arguments, name);
        } else {
          (void)tools::string_arg_or(arguments, name, "");
        }
      } else if (has_type(property, "boolean")) {
        (void)tools::bool_arg_or(arguments, name, false);
      } else if (has_type(property, "array")) {
        (void)tools::string_list_arg(arguments, name);
      } else if (has_type(property, "integer")) {
        (void)tools::uint_arg(arguments, name);
      } else if (has_type(property, "number")) {
        (void)tools::number_arg_or(arguments, name, 0);
      }
    } catch (const std::exception& e) {
      return std::string(name) + ": " + e.what();
    }
  }
  return {};
}

// "arguments: …", "field: …", "field.sub: …" or "field[3]: …".
void check_refusal(const std::string& message, const json::value& instance,
                   const json::object& schema) {
  FUZZ_CHECK(!message.empty(), "a refusal without a message");
  const std::size_t colon = message.find(": ");
  FUZZ_CHECK(colon != std::string::npos, "a refusal that names no field: " + message);
  const std::string path = message.substr(0, colon);
  if (path == "arguments") return;
  const std::string first = path.substr(0, path.find_first_of(".["));
  bool known = instance.is_object() && instance.get_object().contains(first);
  if (const auto* required = schema.if_contains("required")) {
    for (const auto& name : required->as_array()) {
      known = known || (name.is_string() && name.get_string() == first);
    }
  }
  FUZZ_CHECK(known, "a refusal names a field that is neither given nor required: " + message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  BusWorld world;
  const json::array listed = world.tools.list();
  const std::string name(listed[bytes[0] % listed.size()].at("name").as_string());
  const mcp::ToolDefinition* tool = world.tools.find(name);
  FUZZ_CHECK(tool != nullptr, "a listed tool cannot be found");

  boost::system::error_code ec;
  json::value instance =
      json::parse(std::string_view(reinterpret_cast<const char*>(bytes) + 1, size - 1), ec);
  if (ec) return 0;

  // The Dispatcher refuses these before the schema (Boost.JSON reads 1e400 as
  // an infinity, which no JSON text can carry on).
  if (blender_bus::json::find_non_finite(instance)) return 0;
  if (auto violation = mcp::validate_against_schema(instance, tool->input_schema)) {
    check_refusal(*violation, instance, tool->input_schema);
    return 0;
  }
  FUZZ_CHECK(instance.is_object(), "the schema accepted arguments that are not an object");
  json::object& arguments = instance.get_object();
  const std::string reader_failure = read_all(arguments, tool->input_schema);
  FUZZ_CHECK(reader_failure.empty(),
             "a reader threw on arguments the schema accepted: " + reader_failure);

  const mcp::SessionPtr peer = world.add_peers();
  const mcp::SessionPtr session = world.sessions.create("alice");
  mcp::CallContext context{session, world.io.get_executor()};
  blender_bus::fuzz::shorten_waits(arguments);
  try {
    const mcp::ToolResult result = world.run(tool->handler(context, arguments));
    blender_bus::fuzz::check_tool_result(result.body);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, name + " threw on arguments its schema accepted: " + e.what());
  }
  world.check_streams(session);
  world.check_streams(peer);
  return 0;
}
