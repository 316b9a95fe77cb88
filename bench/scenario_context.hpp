#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/bearer_auth.hpp"
#include "cli/http_connection.hpp"
#include "cli/server_url.hpp"

namespace blender_bus::bench {

// What every scenario needs: where the server is and how to reach it.
struct ScenarioContext {
  boost::asio::any_io_executor executor;
  cli::ServerUrl server;
  std::shared_ptr<cli::BearerAuth> auth;
  std::string run_id;            // prefixes client uuids, so runs never collide
  std::vector<int> server_pids;  // measured for memory and CPU (may be empty)

  std::shared_ptr<cli::HttpConnection> new_connection() const {
    return std::make_shared<cli::HttpConnection>(executor, server);
  }
  // A pool of `size` connections for bounded-parallel setup work.
  std::vector<std::shared_ptr<cli::HttpConnection>> connection_pool(std::size_t size) const {
    std::vector<std::shared_ptr<cli::HttpConnection>> pool;
    for (std::size_t i = 0; i < size; ++i) pool.push_back(new_connection());
    return pool;
  }
};

}  // namespace blender_bus::bench
