#include "auth_kv/kv_secret_store.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "auth/random_text.hpp"
#include "auth_kv/auth_buckets.hpp"
#include "cluster/blocking_call.hpp"

namespace blender_bus::auth_kv {

namespace {

constexpr const char* kSecretKey = "secret.signing";

std::string checked(std::string secret) {
  if (secret.size() < auth::kMinimumSecretBytes) {
    throw std::runtime_error(std::string("the cluster's signing secret (KV ") + kAuthBucket + " " +
                             kSecretKey + ") holds fewer than " +
                             std::to_string(auth::kMinimumSecretBytes) + " characters");
  }
  return secret;
}

}  // namespace

KvSecretStore::KvSecretStore(cluster::Cluster& cluster) : bucket_(cluster.bucket(kAuthBucket)) {}

std::string KvSecretStore::load_or_create() {
  for (;;) {
    if (auto stored = bucket_.get_now(kSecretKey)) return checked(std::move(stored->value));
    std::string secret = auth::random_hex(32);
    const nats::KvWrite write = cluster::blocking_call(bucket_.create(kSecretKey, secret));
    if (std::holds_alternative<nats::KvWritten>(write)) {
      spdlog::info("generated a new token signing secret in the cluster (KV {} {})", kAuthBucket,
                   kSecretKey);
      return secret;
    }
    // Another node created it first: read theirs.
  }
}

}  // namespace blender_bus::auth_kv
