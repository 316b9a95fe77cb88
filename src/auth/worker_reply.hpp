#pragma once

#include <functional>
#include <string>

#include "auth/http_exchange.hpp"
#include "auth/worker_pool.hpp"

namespace blender_bus::auth {

// Runs `work` on a worker and replies with its answer: a JSON 500 when it
// throws (logged with `path`), a JSON 503 with Retry-After when no worker is
// free; `abandoned` runs in both cases, so the caller can release what it
// reserved.
void reply_from_worker(WorkerPool& workers, std::string path, std::function<HttpReply()> work,
                       std::function<void(HttpReply)> reply, std::function<void()> abandoned = {});

}  // namespace blender_bus::auth
