#pragma once

#include <boost/json.hpp>
#include <memory>
#include <span>
#include <string>

#include "bus/clock.hpp"
#include "bus/random_source.hpp"

namespace blender_bus::bus::test {

// A clock the test moves by hand.
struct ManualClock {
  std::shared_ptr<double> now = std::make_shared<double>(1000.5);
  Clock clock() const {
    return [now = now] { return *now; };
  }
  void set(double t) const { *now = t; }
};

// Bytes 0, 1, 2, … across calls, so ids are predictable: the first UUID is
// "00010203-0405-4607-8809-0a0b0c0d0e0f", the second
// "10111213-1415-4617-9819-1a1b1c1d1e1f".
inline RandomSource counting_random() {
  auto next = std::make_shared<unsigned>(0);
  return [next](std::span<unsigned char> out) {
    for (auto& b : out) b = static_cast<unsigned char>((*next)++ & 0xFF);
  };
}

inline constexpr const char* kFirstUuid = "00010203-0405-4607-8809-0a0b0c0d0e0f";
inline constexpr const char* kSecondUuid = "10111213-1415-4617-9819-1a1b1c1d1e1f";

inline boost::json::object parse_object(const std::string& text) {
  return boost::json::parse(text).as_object();
}

}  // namespace blender_bus::bus::test
