#include "json/serializer.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <limits>
#include <stdexcept>

namespace blender_bus::json {
namespace {

namespace bj = boost::json;

TEST(Serializer, WritesDoublesAsPythonDoesAndEverythingElseAsBoostDoes) {
  const bj::value value =
      bj::parse(R"({"connected_at":1796125004.967525,"zero":0.0,"tiny":1e-7,"big":1e21,"n":-3,)"
                R"("u":18446744073709551615,"ok":true,"no":false,"none":null,"list":[1,2.5,"x"],)"
                R"("nested":{"a":[]}})");
  EXPECT_EQ(to_text(value),
            R"({"connected_at":1796125004.967525,"zero":0.0,"tiny":1e-07,"big":1e+21,"n":-3,)"
            R"("u":18446744073709551615,"ok":true,"no":false,"none":null,"list":[1,2.5,"x"],)"
            R"("nested":{"a":[]}})");
}

TEST(Serializer, WithoutDoublesTheTextIsBoostsByteForByte) {
  const bj::value value =
      bj::parse(R"({"s":"quote \" backslash \\ slash / tab \t nl \n cr \r bs \b ff \f bell \u0007 )"
                R"(unit \u001f del \u007f é ☃ 😀","keys":{"":"empty","k\"":1},"a":[[],{},[null]]})");
  EXPECT_EQ(to_text(value), bj::serialize(value));
}

TEST(Serializer, QuotedEscapesControlCharactersQuotesAndBackslashes) {
  EXPECT_EQ(quoted(""), R"("")");
  EXPECT_EQ(quoted("plain"), R"("plain")");
  EXPECT_EQ(quoted(std::string_view("a\0b", 3)), R"("a\u0000b")");
  EXPECT_EQ(quoted("\x1f\"\\\n"), R"("\u001f\"\\\n")");
  EXPECT_EQ(quoted("é"), "\"é\"");
}

TEST(Serializer, ObjectAndArrayOverloadsWriteTheSameAsTheValue) {
  const bj::object object{{"t", 1706200000.0}, {"x", bj::array{0.5}}};
  EXPECT_EQ(to_text(object), R"({"t":1706200000.0,"x":[0.5]})");
  EXPECT_EQ(to_text(bj::array{0.5, 1}), "[0.5,1]");
  std::string out = "prefix:";
  append_text(out, object);
  EXPECT_EQ(out, R"(prefix:{"t":1706200000.0,"x":[0.5]})");
}

TEST(Serializer, ANonFiniteNumberIsNeverWritten) {
  const bj::value value{{"x", bj::array{std::numeric_limits<double>::infinity()}}};
  EXPECT_THROW(to_text(value), std::domain_error);
  std::string out = "kept:";
  EXPECT_THROW(append_text(out, value), std::domain_error);
  EXPECT_EQ(out, "kept:");  // nothing half-written
}

TEST(Serializer, LongAndManyValuesGrowTheTextAsNeeded) {
  bj::array items;
  std::string expected = "[";
  for (int i = 0; i < 2000; ++i) {
    items.emplace_back(std::string(static_cast<std::size_t>(i % 50), '"'));
    items.emplace_back(i + 0.5);
    if (i) expected += ',';
    expected += bj::serialize(items[items.size() - 2]) + "," + std::to_string(i) + ".5";
  }
  expected += "]";
  EXPECT_EQ(to_text(items), expected);
}

}  // namespace
}  // namespace blender_bus::json
