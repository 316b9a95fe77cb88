#pragma once

#include <vector>

namespace blender_bus::bench {

// CPU time (user + system, seconds) a process has used so far, from
// /proc/<pid>/stat; summed over several processes. CPU per operation is the
// figure that survives a busy machine, where rates and latencies do not.
double cpu_seconds(const std::vector<int>& pids);
// This process's own CPU time (getrusage).
double own_cpu_seconds();

// CPU used between construction and `per(n)`, in microseconds per operation,
// for the load generator and for the measured server processes.
class CpuMeter {
 public:
  explicit CpuMeter(std::vector<int> server_pids);
  struct Cost {
    double server_us = -1;  // -1: no server pid given, or too little CPU used to tell
    double generator_us = 0;
  };
  Cost per(double operations) const;

 private:
  std::vector<int> pids_;
  double server_start_;
  double own_start_;
};

}  // namespace blender_bus::bench
