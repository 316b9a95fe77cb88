#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "cli/server_url.hpp"

namespace blender_bus::bench {

// The soak of issue 12 (bench/soak starts the server and calls it): mixed
// load for `minutes` against a real server. See bench/notes.md.
struct SoakOptions {
  double minutes = 30;
  std::vector<std::string> users;  // traffic users, each with `password`
  std::string churn_user;          // logs in and out; never carries traffic
  std::string password;
  std::size_t ephemeral = 160;                    // session slots, each coming and going
  std::size_t persistent = 40;                    // workers going offline and coming back
  std::chrono::milliseconds send_interval{2000};  // per ephemeral session, on average
  std::chrono::milliseconds cut_interval{1000};   // one stream cut this often
  std::chrono::milliseconds garbage_interval{200};
  std::chrono::milliseconds login_interval{2000};
  std::chrono::seconds drain_timeout{90};
  std::vector<int> server_pids;  // RSS sampled every 10 s
  std::string title;             // the report's heading (run length, commit)
};

struct SoakOutcome {
  std::string report;  // Markdown, to paste into RELIABILITY.md
  bool clean = false;  // nothing lost, duplicated or misrouted; no errors
};

boost::asio::awaitable<SoakOutcome> run_soak(boost::asio::any_io_executor executor,
                                             cli::ServerUrl server, SoakOptions options);

}  // namespace blender_bus::bench
