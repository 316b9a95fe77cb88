#include "auth/sqlite_refresh_token_store.hpp"

#include "auth/auth_schema.hpp"
#include "auth/clock.hpp"
#include "auth/sha256.hpp"

namespace blender_bus::auth {

namespace {

void insert_token(store::Connection& c, const IssuedToken& token, std::string_view username) {
  store::Statement insert = c.prepare(
      "INSERT INTO refresh_tokens(jti, token_hash, username, expires_at) VALUES (?1, ?2, ?3, ?4)");
  insert.bind(1, token.jti).bind(2, sha256_hex(token.token)).bind(3, username);
  insert.bind(4, unix_seconds(token.expires_at));
  insert.run();
}

int delete_expired(store::Connection& c, std::int64_t now) {
  store::Statement del = c.prepare("DELETE FROM refresh_tokens WHERE expires_at <= ?1");
  del.bind(1, now);
  del.run();
  return c.changes();
}

}  // namespace

SqliteRefreshTokenStore::SqliteRefreshTokenStore(store::Database& db) : db_(&db) {
  migrate_auth_schema(db);
}

void SqliteRefreshTokenStore::add(const IssuedToken& token, std::string_view username, time_point now) {
  store::Connection c = db_->lock();
  store::Transaction tx = c.transaction();
  delete_expired(c, unix_seconds(now));
  insert_token(c, token, username);
  tx.commit();
}

bool SqliteRefreshTokenStore::rotate(std::string_view jti, std::string_view token,
                               std::string_view username, const IssuedToken& replacement,
                               time_point now) {
  const std::int64_t now_s = unix_seconds(now);
  store::Connection c = db_->lock();
  store::Transaction tx = c.transaction();
  // The conditional UPDATE is the check: of two uses of one token, only the
  // first changes a row.
  store::Statement revoke = c.prepare(
      "UPDATE refresh_tokens SET revoked_at = ?4"
      " WHERE jti = ?1 AND token_hash = ?2 AND username = ?3"
      " AND revoked_at IS NULL AND expires_at > ?4");
  revoke.bind(1, jti).bind(2, sha256_hex(token)).bind(3, username).bind(4, now_s);
  revoke.run();
  if (c.changes() != 1) return false;  // rolls back
  delete_expired(c, now_s);
  insert_token(c, replacement, username);
  tx.commit();
  return true;
}

bool SqliteRefreshTokenStore::is_usable(std::string_view jti, std::string_view token,
                                  time_point now) const {
  store::Connection c = db_->lock();
  store::Statement q = c.prepare(
      "SELECT 1 FROM refresh_tokens WHERE jti = ?1 AND token_hash = ?2"
      " AND revoked_at IS NULL AND expires_at > ?3");
  q.bind(1, jti).bind(2, sha256_hex(token)).bind(3, unix_seconds(now));
  return q.step();
}

void SqliteRefreshTokenStore::revoke_all(std::string_view username, time_point now) {
  revoke_all_counted(username, now);
}

int SqliteRefreshTokenStore::revoke_all_counted(std::string_view username, time_point now) {
  store::Connection c = db_->lock();
  store::Statement revoke = c.prepare(
      "UPDATE refresh_tokens SET revoked_at = ?2 WHERE username = ?1 AND revoked_at IS NULL");
  revoke.bind(1, username).bind(2, unix_seconds(now));
  revoke.run();
  return c.changes();
}

int SqliteRefreshTokenStore::purge_expired(time_point now) {
  store::Connection c = db_->lock();
  return delete_expired(c, unix_seconds(now));
}

}  // namespace blender_bus::auth
