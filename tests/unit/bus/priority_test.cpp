#include "bus/priority.hpp"

#include <gtest/gtest.h>

namespace blender_bus::bus {
namespace {

struct Spelling {
  const char* text;
  Priority expected;
};

class PrioritySpelling : public ::testing::TestWithParam<Spelling> {};

TEST_P(PrioritySpelling, Parses) {
  auto parsed = parse_priority(GetParam().text);
  ASSERT_TRUE(parsed.has_value()) << GetParam().text;
  EXPECT_EQ(*parsed, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    EverySpelling, PrioritySpelling,
    ::testing::Values(Spelling{"emergency", Priority::emergency},
                      Spelling{"alert", Priority::alert}, Spelling{"critical", Priority::critical},
                      Spelling{"error", Priority::error}, Spelling{"warning", Priority::warning},
                      Spelling{"notice", Priority::notice}, Spelling{"info", Priority::info},
                      Spelling{"debug", Priority::debug},
                      Spelling{"EMERGENCY", Priority::emergency},
                      Spelling{"ALERT", Priority::alert}, Spelling{"CRITICAL", Priority::critical},
                      Spelling{"ERROR", Priority::error}, Spelling{"WARNING", Priority::warning},
                      Spelling{"NOTICE", Priority::notice}, Spelling{"INFO", Priority::info},
                      Spelling{"DEBUG", Priority::debug}, Spelling{"0", Priority::emergency},
                      Spelling{"1", Priority::alert}, Spelling{"2", Priority::critical},
                      Spelling{"3", Priority::error}, Spelling{"4", Priority::warning},
                      Spelling{"5", Priority::notice}, Spelling{"6", Priority::info},
                      Spelling{"7", Priority::debug}, Spelling{"  info  ", Priority::info},
                      Spelling{" WARNING", Priority::warning}, Spelling{"3 ", Priority::error},
                      Spelling{"\tdebug\n", Priority::debug}));

class BadPriority : public ::testing::TestWithParam<const char*> {};

TEST_P(BadPriority, IsRefused) {
  EXPECT_FALSE(parse_priority(GetParam()).has_value());
}

INSTANTIATE_TEST_SUITE_P(Refused, BadPriority,
                         ::testing::Values("", "   ", "Info", "iNFO", "information", "8", "-1",
                                           "+3", "3.0", "99999999999999999999", "warn", "in fo"));

TEST(Priority, NamesAreTheMcpLevels) {
  EXPECT_EQ(to_string(Priority::emergency), "emergency");
  EXPECT_EQ(to_string(Priority::notice), "notice");
  EXPECT_EQ(to_string(Priority::info), "info");
  EXPECT_EQ(to_string(Priority::debug), "debug");
}

TEST(Priority, ErrorStringIsExact) {
  EXPECT_EQ(unknown_priority_error("loud"), "Unknown priority: 'loud'");
  EXPECT_EQ(unknown_priority_error(" 9 "), "Unknown priority: ' 9 '");
}

}  // namespace
}  // namespace blender_bus::bus
