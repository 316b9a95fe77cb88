#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace blender_bus::cli {

// Who a `send` waits for: of the clients its job reached (the send's
// `targets`), those that run jobs, and how each is named in the output.
class SendAudience {
 public:
  // Clients that announce this capability run job_dispatch scripts.
  static constexpr const char* kRunsJobs = "python_execution";

  // `targets` from blender_send_message; `listing` from
  // blender_list_available_clients (for capabilities and groups; a target
  // missing from it is taken as one that runs jobs). With `only_job_runners`,
  // clients without kRunsJobs are not waited for (a listener, an assistant).
  SendAudience(const std::vector<std::string>& targets, const boost::json::object& listing,
               bool only_job_runners);

  const std::vector<std::string>& awaited() const { return awaited_; }
  // Targets left out because they do not run jobs.
  std::size_t skipped() const { return skipped_; }
  // "<uuid> (group <g>)", or the bare uuid for a client without a group.
  std::string label(const std::string& uuid) const;

 private:
  struct Known {
    std::string group_id;  // "" when none
    bool runs_jobs = false;
  };
  std::map<std::string, Known> known_;
  std::vector<std::string> awaited_;
  std::size_t skipped_ = 0;
};

}  // namespace blender_bus::cli
