#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace blender_bus::fuzz {

// An invariant broke: say which, then abort, so that libFuzzer keeps the
// input as a crash artefact (and a replay of it fails the same way).
[[noreturn]] inline void invariant_failed(const char* file, int line, std::string_view what) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %.*s\n", file, line,
               static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace blender_bus::fuzz

// FUZZ_CHECK(condition, message): message is built only when it fails.
#define FUZZ_CHECK(condition, message)                                                    \
  do {                                                                                    \
    if (!(condition)) ::blender_bus::fuzz::invariant_failed(__FILE__, __LINE__, message); \
  } while (false)
