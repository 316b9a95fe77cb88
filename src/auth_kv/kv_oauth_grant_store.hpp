#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "auth/oauth_client_store.hpp"
#include "auth/oauth_grant_store.hpp"
#include "auth/user_store.hpp"
#include "auth_kv/mirror_progress.hpp"
#include "cluster/cluster.hpp"
#include "nats/change_listener.hpp"
#include "nats/kv_bucket.hpp"
#include "nats/kv_mirror.hpp"

namespace blender_bus::auth_kv {

// auth::OAuthGrantStore in the cluster's BUS_OAUTH_GRANTS bucket
// (auth_buckets.hpp): a code issued on one node is exchanged on any node,
// once; a refresh token rotates on any node, once; a grant revoked on any
// node is revoked on all of them.
//
// A grant names its user and the user's created_at, not a row of a users
// table: a user deleted, or deleted and made again under the same name,
// holds none of the old grants (their codes and refresh tokens are Unknown).
//
// The token paths read codes, refresh tokens and grants on the bucket's
// leader (a code made on node A a moment ago is not in B's mirror yet) and
// write them conditionally on the revision read: of two nodes redeeming one
// code or rotating one refresh token at once, one wins and the other sees a
// reuse, which revokes the grant. A revocation is a conditional write of the
// grant's revoked_at. The listings (revoked_since, consented_clients) and
// purge read the mirror.
//
// Every change to a grant, by whoever wrote it, reaches on_change's
// listener on every node about a round trip later: the composition root
// re-reads the revoked grants there (auth::RevokedGrants::sync), which
// refuses their access tokens and ends their users' sessions.
//
// Cost: an exchange or a refresh is 2-3 leader reads and 1-2 writes; the
// listings scan the mirror in memory.
class KvOAuthGrantStore final : public auth::OAuthGrantStore {
 public:
  // Loads the mirror (blocking, up to 30 s). Throws nats::NatsError.
  // `users` and `clients` must outlive it.
  KvOAuthGrantStore(cluster::Cluster& cluster, const auth::UserStore& users,
                    const auth::OAuthClientStore& clients);
  ~KvOAuthGrantStore() override;

  bool add_grant(const auth::OAuthGrant& grant, std::string_view code_hash,
                 std::string_view redirect_uri, std::string_view code_challenge,
                 std::int64_t code_expires_at) override;
  std::variant<Redeemed, Reused, Unknown> redeem_code(std::string_view code_hash,
                                                      std::int64_t now) override;
  void add_refresh(std::string_view grant_id, std::string_view token_hash,
                   std::int64_t expires_at) override;
  std::variant<Rotated, Reused, Unknown> rotate_refresh(std::string_view token_hash,
                                                        std::string_view client_id,
                                                        std::string_view replacement_hash,
                                                        std::int64_t replacement_expires_at,
                                                        std::int64_t now) override;
  std::optional<std::string> revoke_by_refresh(std::string_view token_hash,
                                               std::string_view client_id,
                                               std::int64_t now) override;
  std::optional<std::string> revoke_grant(std::string_view grant_id, std::int64_t now) override;
  int revoke_client(std::string_view username, std::string_view client_id,
                    std::int64_t now) override;
  std::vector<std::pair<std::string, std::string>> revoked_since(std::int64_t since) const override;
  std::vector<auth::ConsentedClient> consented_clients(std::string_view username,
                                                       std::int64_t now) const override;
  // Grants left with no code or refresh token are deleted only once older
  // than kUnusedGrantAge: another node may be between the consent's two
  // writes, or between a code's exchange and its refresh token's write.
  void purge(std::int64_t now, std::int64_t forget_revoked_before) override;

  static constexpr std::int64_t kUnusedGrantAge = 600;  // seconds

  // `listener()` is called for each change to a grant (a revocation among
  // them), on a nats.c delivery thread: it must not block (post the work
  // elsewhere). One listener; once this returns, the one before is not
  // running and never called again.
  void on_change(std::function<void()> listener);

  // A grant as the bucket holds it.
  struct GrantRecord {
    auth::OAuthGrant grant;
    double user_since = 0;  // the user's created_at at consent
    std::optional<std::int64_t> revoked_at;
  };

 private:
  template <typename Record>
  struct Read {
    Record record;
    std::uint64_t revision = 0;
  };
  std::optional<Read<GrantRecord>> read_grant(std::string_view grant_id) const;
  // Revokes a live grant (a conditional write, retried on a conflict); its
  // user, or nullopt when it is unknown or revoked already.
  std::optional<std::string> revoke(std::string_view grant_id, std::int64_t now);
  // The grant's user exists and is the one who consented.
  bool user_holds(const GrantRecord& grant) const;
  void note(const nats::KvEntry& entry);

  const auth::UserStore* users_;
  const auth::OAuthClientStore* clients_;
  mutable nats::KvBucket bucket_;
  MirrorProgress progress_;
  nats::ChangeListener<> listener_;
  std::unique_ptr<nats::KvMirror> mirror_;  // last: its callbacks use the above
};

}  // namespace blender_bus::auth_kv
