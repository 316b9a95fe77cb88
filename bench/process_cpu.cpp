#include "process_cpu.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace blender_bus::bench {

namespace {

double cpu_seconds(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!stat || !std::getline(stat, text))
    throw std::runtime_error("no process " + std::to_string(pid));
  // Fields after the command name (which may hold spaces, hence the last ')').
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;  // state … cmajflt
  double utime = 0;
  double stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

double cpu_seconds(const std::vector<int>& pids) {
  double total = 0;
  for (int pid : pids) total += cpu_seconds(pid);
  return total;
}

double own_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

CpuMeter::CpuMeter(std::vector<int> server_pids)
    : pids_(std::move(server_pids)),
      server_start_(pids_.empty() ? 0 : cpu_seconds(pids_)),
      own_start_(own_cpu_seconds()) {}

CpuMeter::Cost CpuMeter::per(double operations) const {
  Cost cost;
  if (operations <= 0) return cost;
  // /proc counts in clock ticks (10 ms): below a few ticks the figure is noise.
  constexpr double kResolution = 0.05;
  if (!pids_.empty()) {
    const double used = cpu_seconds(pids_) - server_start_;
    if (used >= kResolution) cost.server_us = used / operations * 1e6;
  }
  cost.generator_us = (own_cpu_seconds() - own_start_) / operations * 1e6;
  return cost;
}

}  // namespace blender_bus::bench
