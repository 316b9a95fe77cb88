#include "process_memory.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace blender_bus::bench {

std::uint64_t resident_bytes(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  if (!status) throw std::runtime_error("no process " + std::to_string(pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      std::uint64_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  }
  throw std::runtime_error("no VmRSS for process " + std::to_string(pid));
}

std::uint64_t resident_bytes(const std::vector<int>& pids) {
  std::uint64_t total = 0;
  for (int pid : pids) total += resident_bytes(pid);
  return total;
}

}  // namespace blender_bus::bench
