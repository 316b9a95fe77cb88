#include "mcp/schema_validator.hpp"

#include <gtest/gtest.h>

namespace blender_bus::mcp {
namespace {

namespace json = boost::json;

const json::object kSchema = json::parse(R"({
  "type":"object",
  "properties":{
    "client_uuid":{"type":"string","minLength":1,"maxLength":4},
    "is_persistent":{"type":"boolean"},
    "capabilities":{"type":"array","items":{"type":"string"},"maxItems":2},
    "group_id":{"type":["string","null"]},
    "wait_seconds":{"type":"integer","minimum":0,"maximum":50}
  },
  "required":["client_uuid"],
  "additionalProperties":false
})")
                                 .as_object();

std::string violation(std::string_view arguments) {
  auto result = validate_against_schema(json::parse(arguments), kSchema);
  return result ? *result : "";
}

TEST(SchemaValidatorTest, AcceptsValidArguments) {
  EXPECT_EQ(violation(R"({"client_uuid":"ab","capabilities":["x"],"group_id":null})"), "");
  EXPECT_EQ(violation(R"({"client_uuid":"ab","wait_seconds":3.0})"), "");
}

TEST(SchemaValidatorTest, NamesTheOffendingField) {
  EXPECT_EQ(violation(R"({})"), "client_uuid: required field is missing");
  EXPECT_EQ(violation(R"({"client_uuid":5})"), "client_uuid: expected string, got integer");
  EXPECT_EQ(violation(R"({"client_uuid":"abcde"})"), "client_uuid: longer than 4 characters");
  EXPECT_EQ(violation(R"({"client_uuid":""})"), "client_uuid: shorter than 1 characters");
  EXPECT_EQ(violation(R"({"client_uuid":"a","is_persistent":"yes"})"),
            "is_persistent: expected boolean, got string");
  EXPECT_EQ(violation(R"({"client_uuid":"a","capabilities":["x",1]})"),
            "capabilities[1]: expected string, got integer");
  EXPECT_EQ(violation(R"({"client_uuid":"a","capabilities":["x","y","z"]})"),
            "capabilities: more than 2 items");
  EXPECT_EQ(violation(R"({"client_uuid":"a","group_id":3})"),
            "group_id: expected string or null, got integer");
  EXPECT_EQ(violation(R"({"client_uuid":"a","wait_seconds":51})"),
            "wait_seconds: must be at most 50");
  EXPECT_EQ(violation(R"({"client_uuid":"a","wait_seconds":1.5})"),
            "wait_seconds: expected integer, got number");
  EXPECT_EQ(violation(R"({"client_uuid":"a","extra":1})"), "extra: unknown field");
  EXPECT_EQ(violation(R"([])"), "arguments: expected object, got array");
}

TEST(SchemaValidatorTest, LengthsCountCharactersNotBytes) {
  EXPECT_EQ(violation(R"({"client_uuid":"ééé"})"), "");  // 6 bytes, 3 characters
}

TEST(SchemaValidatorTest, IntegralNumbersOfAnySizeAreIntegers) {
  // JSON Schema: an integer is a number without a fractional part, whatever
  // its size. (Found by the tool_arguments fuzzer: a cast to long long of
  // 1e30 was undefined, and made it "not an integer".)
  const json::object integer{{"type", "integer"}};
  for (const char* number : {"1e30", "-1e30", "1e19", "1e300", "9223372036854775807.0", "-0.0"}) {
    EXPECT_EQ(validate_against_schema(json::parse(number), integer), std::nullopt) << number;
  }
  for (const char* number : {"1.5", "1e-5", "-1e-300"}) {
    EXPECT_EQ(validate_against_schema(json::parse(number), integer),
              "arguments: expected integer, got number")
        << number;
  }
}

}  // namespace
}  // namespace blender_bus::mcp
