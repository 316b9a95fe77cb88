#pragma once

#include "auth/refresh_token_store.hpp"
#include "auth_kv/kv_user_store.hpp"
#include "cluster/cluster.hpp"
#include "nats/kv_bucket.hpp"

namespace blender_bus::auth_kv {

// auth::RefreshTokenStore in the cluster's BUS_TOKENS bucket, keyed by jti,
// so that a refresh token issued by one node is rotated by any.
//
// A token records its user's refresh generation at issue (KvUserStore);
// revoke_all moves the generation on, one write however many tokens the
// user holds, and a token of an older generation is not usable. Rotation
// deletes the old token conditionally on its revision, so of two concurrent
// uses only one wins, then stores the replacement. Expired tokens leave by
// the bucket's TTL. Every call reads at the leader (a token is used seconds
// after it was issued, perhaps on another node).
class KvRefreshTokenStore final : public auth::RefreshTokenStore {
 public:
  KvRefreshTokenStore(cluster::Cluster& cluster, KvUserStore& users);

  void add(const auth::IssuedToken& token, std::string_view username, time_point now) override;
  bool rotate(std::string_view jti, std::string_view token, std::string_view username,
              const auth::IssuedToken& replacement, time_point now) override;
  bool is_usable(std::string_view jti, std::string_view token, time_point now) const override;
  void revoke_all(std::string_view username, time_point now) override;

 private:
  struct Stored {
    std::string user;
    std::uint64_t revision = 0;
  };
  // The stored token when it is usable now.
  std::optional<Stored> usable(std::string_view jti, std::string_view token, time_point now) const;

  KvUserStore& users_;
  mutable nats::KvBucket bucket_;
};

}  // namespace blender_bus::auth_kv
