#include "json/python_float.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace blender_bus::json {
namespace {

std::string python(double value) {
  std::string out;
  append_python_float(out, value);
  return out;
}

// Each expected text is what CPython 3.11's repr() and json.dumps() print.
TEST(PythonFloat, ZeroAndIntegralValuesKeepOneFractionalDigit) {
  EXPECT_EQ(python(0.0), "0.0");
  EXPECT_EQ(python(-0.0), "-0.0");
  EXPECT_EQ(python(1.0), "1.0");
  EXPECT_EQ(python(100.0), "100.0");
  EXPECT_EQ(python(123.0), "123.0");
  EXPECT_EQ(python(1706200000.0), "1706200000.0");
  EXPECT_EQ(python(9007199254740992.0), "9007199254740992.0");
}

TEST(PythonFloat, TimestampsAreFixedWithTheShortestRoundTripDigits) {
  EXPECT_EQ(python(1796125004.967525), "1796125004.967525");
  EXPECT_EQ(python(1706203789.45), "1706203789.45");
  EXPECT_EQ(python(1.7961239567325833e9), "1796123956.7325833");
}

TEST(PythonFloat, FractionsAreFixedDownToTenToTheMinusFour) {
  EXPECT_EQ(python(0.5), "0.5");
  EXPECT_EQ(python(0.1), "0.1");
  EXPECT_EQ(python(0.30000000000000004), "0.30000000000000004");
  EXPECT_EQ(python(-2.5), "-2.5");
  EXPECT_EQ(python(0.0001), "0.0001");
  EXPECT_EQ(python(0.0001234), "0.0001234");
}

TEST(PythonFloat, SmallAndLargeExponentsUseExponentForm) {
  EXPECT_EQ(python(1e-5), "1e-05");
  EXPECT_EQ(python(1e-7), "1e-07");
  EXPECT_EQ(python(5e-324), "5e-324");
  EXPECT_EQ(python(1e15), "1000000000000000.0");
  EXPECT_EQ(python(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(python(1e16), "1e+16");
  EXPECT_EQ(python(1e21), "1e+21");
  EXPECT_EQ(python(1e100), "1e+100");
  EXPECT_EQ(python(1.5e300), "1.5e+300");
  EXPECT_EQ(python(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(python(-1e-7), "-1e-07");
}

TEST(PythonFloat, EveryFormReadsBackAsTheSameDouble) {
  for (double value : {0.1, 1e-7, 1e21, 1796125004.967525, 5e-324, 0.30000000000000004}) {
    const std::string text = python(value);
    double read = 0;
    std::from_chars(text.data(), text.data() + text.size(), read);
    EXPECT_EQ(read, value) << text;
  }
}

TEST(PythonFloat, NanAndInfinitiesAreRefused) {
  EXPECT_THROW(python(std::nan("")), std::domain_error);
  EXPECT_THROW(python(std::numeric_limits<double>::infinity()), std::domain_error);
  EXPECT_THROW(python(-std::numeric_limits<double>::infinity()), std::domain_error);
  std::string out = "x";
  EXPECT_THROW(append_python_float(out, std::nan("")), std::domain_error);
  EXPECT_EQ(out, "x");  // nothing half-written
}

}  // namespace
}  // namespace blender_bus::json
