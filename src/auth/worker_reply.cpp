#include "auth/worker_reply.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>

namespace blender_bus::auth {

namespace {

HttpReply detail(unsigned status, std::string_view text) {
  return {status, boost::json::serialize(boost::json::object{{"detail", text}}), {}};
}

}  // namespace

void reply_from_worker(WorkerPool& workers, std::string path, std::function<HttpReply()> work,
                       std::function<void(HttpReply)> reply, std::function<void()> abandoned) {
  // Shared so that a refused job (dropped by the pool) leaves it for the 503.
  auto shared_reply = std::make_shared<std::function<void(HttpReply)>>(std::move(reply));
  auto job = [path, work = std::move(work), shared_reply, abandoned] {
    HttpReply answer;
    try {
      answer = work();
    } catch (const std::exception& e) {
      // Store busy past its timeout, disk full, out of memory for argon2id.
      spdlog::error("auth: {} failed: {}", path, e.what());
      if (abandoned) abandoned();
      answer = detail(500, "Internal server error");
    }
    (*shared_reply)(std::move(answer));
  };
  if (workers.try_post(std::move(job))) return;
  spdlog::warn("auth: {} refused: every worker is busy", path);
  if (abandoned) abandoned();
  HttpReply busy = detail(503, "Server busy; retry shortly");
  busy.headers.emplace_back("Retry-After", "1");
  (*shared_reply)(std::move(busy));
}

}  // namespace blender_bus::auth
