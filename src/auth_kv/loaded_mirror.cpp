#include "auth_kv/loaded_mirror.hpp"

#include "nats/nats_error.hpp"
#include "nats/transient.hpp"

namespace blender_bus::auth_kv {

using namespace std::chrono_literals;

std::unique_ptr<nats::KvMirror> load_mirror(cluster::Cluster& cluster, const std::string& bucket,
                                            nats::KvMirror::Callbacks callbacks,
                                            const std::string& what) {
  auto mirror = nats::retry_transient(std::chrono::steady_clock::now() + 30s, [&] {
    return std::make_unique<nats::KvMirror>(cluster.connection(), bucket, callbacks);
  });
  if (!mirror->wait_loaded_for(30s)) {
    throw nats::NatsError(NATS_TIMEOUT, 0, what + " (KV " + bucket + ") did not load within 30 s");
  }
  return mirror;
}

}  // namespace blender_bus::auth_kv
