#include "auth/sqlite_oauth_grant_store.hpp"

#include "auth/auth_schema.hpp"
#include "auth/string_list_text.hpp"

namespace blender_bus::auth {

namespace {

constexpr std::string_view kGrantColumns =
    "g.grant_id, g.client_id, g.username, g.scopes, g.resource, g.created_at";

// Columns from `first` on: kGrantColumns.
OAuthGrant read_grant(const store::Statement& row, int first) {
  return {row.column_text(first),     row.column_text(first + 1),
          row.column_text(first + 2), from_json_text(row.column_text(first + 3)),
          row.column_text(first + 4), row.column_int64(first + 5)};
}

// Revokes a live grant; its user, or nullopt.
std::optional<std::string> revoke(store::Connection& c, std::string_view grant_id,
                                  std::int64_t now) {
  store::Statement q = c.prepare(
      "UPDATE oauth_grants SET revoked_at = ?2 WHERE grant_id = ?1 AND revoked_at IS NULL"
      " RETURNING username");
  q.bind(1, grant_id).bind(2, now);
  if (!q.step()) return std::nullopt;
  std::string username = q.column_text(0);
  while (q.step()) {
  }
  return username;
}

}  // namespace

SqliteOAuthGrantStore::SqliteOAuthGrantStore(store::Database& db) : db_(&db) {
  migrate_auth_schema(db);
}

bool SqliteOAuthGrantStore::add_grant(const OAuthGrant& grant, std::string_view code_hash,
                                      std::string_view redirect_uri,
                                      std::string_view code_challenge,
                                      std::int64_t code_expires_at) {
  store::Connection c = db_->lock();
  store::Transaction tx = c.transaction();
  store::Statement purge = c.prepare("DELETE FROM oauth_codes WHERE expires_at <= ?1");
  purge.bind(1, grant.created_at);
  purge.run();
  store::Statement insert = c.prepare(
      "INSERT INTO oauth_grants(grant_id, client_id, username, scopes, resource, created_at)"
      " SELECT ?1, ?2, ?3, ?4, ?5, ?6"
      " WHERE EXISTS (SELECT 1 FROM users WHERE username = ?3)"
      " AND EXISTS (SELECT 1 FROM oauth_clients WHERE client_id = ?2)");
  insert.bind(1, grant.grant_id).bind(2, grant.client_id).bind(3, grant.username);
  insert.bind(4, to_json_text(grant.scopes)).bind(5, grant.resource).bind(6, grant.created_at);
  insert.run();
  if (c.changes() != 1) return false;  // rolls back
  store::Statement code = c.prepare(
      "INSERT INTO oauth_codes(code_hash, grant_id, redirect_uri, code_challenge, expires_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)");
  code.bind(1, code_hash).bind(2, grant.grant_id).bind(3, redirect_uri);
  code.bind(4, code_challenge).bind(5, code_expires_at);
  code.run();
  tx.commit();
  return true;
}

std::variant<OAuthGrantStore::Redeemed, OAuthGrantStore::Reused, OAuthGrantStore::Unknown>
SqliteOAuthGrantStore::redeem_code(std::string_view code_hash, std::int64_t now) {
  store::Connection c = db_->lock();
  store::Transaction tx = c.transaction();
  store::Statement q =
      c.prepare("SELECT c.redirect_uri, c.code_challenge, c.expires_at, c.used_at, g.revoked_at, " +
                std::string(kGrantColumns) +
                " FROM oauth_codes c JOIN oauth_grants g ON g.grant_id = c.grant_id"
                " WHERE c.code_hash = ?1");
  q.bind(1, code_hash);
  if (!q.step()) return Unknown{};
  OAuthCode code{read_grant(q, 5), q.column_text(0), q.column_text(1)};
  const bool used = !q.column_is_null(3);
  const bool live = q.column_is_null(4) && q.column_int64(2) > now;
  q.reset();
  if (used) {
    revoke(c, code.grant.grant_id, now);
    tx.commit();
    return Reused{code.grant.username};
  }
  if (!live) return Unknown{};
  store::Statement mark = c.prepare("UPDATE oauth_codes SET used_at = ?2 WHERE code_hash = ?1");
  mark.bind(1, code_hash).bind(2, now);
  mark.run();
  tx.commit();
  return Redeemed{std::move(code)};
}

void SqliteOAuthGrantStore::add_refresh(std::string_view grant_id, std::string_view token_hash,
                                        std::int64_t expires_at) {
  store::Connection c = db_->lock();
  store::Statement insert = c.prepare(
      "INSERT INTO oauth_refresh_tokens(token_hash, grant_id, expires_at) VALUES (?1, ?2, ?3)");
  insert.bind(1, token_hash).bind(2, grant_id).bind(3, expires_at);
  insert.run();
}

std::variant<OAuthGrantStore::Rotated, OAuthGrantStore::Reused, OAuthGrantStore::Unknown>
SqliteOAuthGrantStore::rotate_refresh(std::string_view token_hash, std::string_view client_id,
                                      std::string_view replacement_hash,
                                      std::int64_t replacement_expires_at, std::int64_t now) {
  store::Connection c = db_->lock();
  store::Transaction tx = c.transaction();
  store::Statement q =
      c.prepare("SELECT r.expires_at, r.rotated_at, g.revoked_at, " + std::string(kGrantColumns) +
                " FROM oauth_refresh_tokens r JOIN oauth_grants g ON g.grant_id = r.grant_id"
                " WHERE r.token_hash = ?1");
  q.bind(1, token_hash);
  if (!q.step()) return Unknown{};
  OAuthGrant grant = read_grant(q, 3);
  const bool rotated = !q.column_is_null(1);
  const bool revoked = !q.column_is_null(2);
  const bool expired = q.column_int64(0) <= now;
  q.reset();
  if (revoked || grant.client_id != client_id) return Unknown{};
  if (rotated) {
    // A retired token came back: one of its two holders is not the client.
    revoke(c, grant.grant_id, now);
    tx.commit();
    return Reused{grant.username};
  }
  if (expired) return Unknown{};
  store::Statement retire =
      c.prepare("UPDATE oauth_refresh_tokens SET rotated_at = ?2 WHERE token_hash = ?1");
  retire.bind(1, token_hash).bind(2, now);
  retire.run();
  store::Statement insert = c.prepare(
      "INSERT INTO oauth_refresh_tokens(token_hash, grant_id, expires_at) VALUES (?1, ?2, ?3)");
  insert.bind(1, replacement_hash).bind(2, grant.grant_id).bind(3, replacement_expires_at);
  insert.run();
  tx.commit();
  return Rotated{std::move(grant)};
}

std::optional<std::string> SqliteOAuthGrantStore::revoke_by_refresh(std::string_view token_hash,
                                                                    std::string_view client_id,
                                                                    std::int64_t now) {
  store::Connection c = db_->lock();
  store::Transaction tx = c.transaction();
  store::Statement q = c.prepare(
      "SELECT r.grant_id, g.client_id FROM oauth_refresh_tokens r"
      " JOIN oauth_grants g ON g.grant_id = r.grant_id WHERE r.token_hash = ?1");
  q.bind(1, token_hash);
  if (!q.step()) return std::nullopt;
  const std::string grant_id = q.column_text(0);
  if (!client_id.empty() && q.column_text(1) != client_id) return std::nullopt;
  q.reset();
  auto username = revoke(c, grant_id, now);
  tx.commit();
  return username;
}

std::optional<std::string> SqliteOAuthGrantStore::revoke_grant(std::string_view grant_id,
                                                               std::int64_t now) {
  store::Connection c = db_->lock();
  return revoke(c, grant_id, now);
}

int SqliteOAuthGrantStore::revoke_client(std::string_view username, std::string_view client_id,
                                         std::int64_t now) {
  store::Connection c = db_->lock();
  store::Statement q = c.prepare(
      "UPDATE oauth_grants SET revoked_at = ?3"
      " WHERE username = ?1 AND client_id = ?2 AND revoked_at IS NULL");
  q.bind(1, username).bind(2, client_id).bind(3, now);
  q.run();
  return c.changes();
}

std::vector<std::pair<std::string, std::string>> SqliteOAuthGrantStore::revoked_since(
    std::int64_t since) const {
  store::Connection c = db_->lock();
  store::Statement q =
      c.prepare("SELECT grant_id, username FROM oauth_grants WHERE revoked_at > ?1");
  q.bind(1, since);
  std::vector<std::pair<std::string, std::string>> out;
  while (q.step()) out.emplace_back(q.column_text(0), q.column_text(1));
  return out;
}

void SqliteOAuthGrantStore::purge(std::int64_t now, std::int64_t forget_revoked_before) {
  store::Connection c = db_->lock();
  store::Transaction tx = c.transaction();
  store::Statement codes = c.prepare("DELETE FROM oauth_codes WHERE expires_at <= ?1");
  codes.bind(1, now);
  codes.run();
  store::Statement tokens = c.prepare("DELETE FROM oauth_refresh_tokens WHERE expires_at <= ?1");
  tokens.bind(1, now);
  tokens.run();
  // Cascades to what is left of their codes and tokens.
  store::Statement grants = c.prepare(
      "DELETE FROM oauth_grants WHERE (revoked_at IS NOT NULL AND revoked_at < ?1)"
      " OR (revoked_at IS NULL"
      " AND NOT EXISTS (SELECT 1 FROM oauth_refresh_tokens r WHERE r.grant_id = "
      "oauth_grants.grant_id)"
      " AND NOT EXISTS (SELECT 1 FROM oauth_codes k WHERE k.grant_id = oauth_grants.grant_id))");
  grants.bind(1, forget_revoked_before);
  grants.run();
  tx.commit();
}

std::vector<ConsentedClient> SqliteOAuthGrantStore::consented_clients(std::string_view username,
                                                                      std::int64_t now) const {
  store::Connection c = db_->lock();
  store::Statement q = c.prepare(
      "SELECT g.client_id, k.client_name, g.scopes, g.created_at"
      " FROM oauth_grants g JOIN oauth_clients k ON k.client_id = g.client_id"
      " WHERE g.username = ?1 AND g.revoked_at IS NULL"
      " AND (EXISTS (SELECT 1 FROM oauth_refresh_tokens r WHERE r.grant_id = g.grant_id"
      "   AND r.rotated_at IS NULL AND r.expires_at > ?2)"
      "  OR EXISTS (SELECT 1 FROM oauth_codes k2 WHERE k2.grant_id = g.grant_id"
      "   AND k2.used_at IS NULL AND k2.expires_at > ?2))"
      " ORDER BY g.client_id, g.created_at");
  q.bind(1, username).bind(2, now);
  std::vector<ConsentedClient> out;
  while (q.step()) {
    std::string client_id = q.column_text(0);
    if (out.empty() || out.back().client_id != client_id) {
      out.push_back({std::move(client_id), q.column_text(1), {}, q.column_int64(3), 0});
    }
    out.back().scopes = from_json_text(q.column_text(2));
    ++out.back().grants;
  }
  return out;
}

}  // namespace blender_bus::auth
