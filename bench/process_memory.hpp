#pragma once

#include <cstdint>
#include <vector>

namespace blender_bus::bench {

// Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS).
// Throws std::runtime_error when the process is gone.
std::uint64_t resident_bytes(int pid);
// Summed over several processes (nginx's master and workers).
std::uint64_t resident_bytes(const std::vector<int>& pids);

}  // namespace blender_bus::bench
