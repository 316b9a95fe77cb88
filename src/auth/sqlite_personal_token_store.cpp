#include "auth/sqlite_personal_token_store.hpp"

#include "auth/auth_schema.hpp"
#include "auth/string_list_text.hpp"

namespace blender_bus::auth {

namespace {

std::optional<std::int64_t> optional_int(const store::Statement& row, int column) {
  if (row.column_is_null(column)) return std::nullopt;
  return row.column_int64(column);
}

// Columns: username, name, scopes, created_at, expires_at, last_used_at.
PersonalTokenRecord read_record(const store::Statement& row) {
  return {row.column_text(0),  row.column_text(1),   from_json_text(row.column_text(2)),
          row.column_int64(3), optional_int(row, 4), optional_int(row, 5)};
}

}  // namespace

SqlitePersonalTokenStore::SqlitePersonalTokenStore(store::Database& db) : db_(&db) {
  migrate_auth_schema(db);
}

bool SqlitePersonalTokenStore::add(std::string_view token_hash, const PersonalTokenRecord& record) {
  store::Connection c = db_->lock();
  store::Statement insert = c.prepare(
      "INSERT INTO personal_tokens(token_hash, username, name, scopes, created_at, expires_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING");
  insert.bind(1, token_hash).bind(2, record.username).bind(3, record.name);
  insert.bind(4, to_json_text(record.scopes)).bind(5, record.created_at);
  insert.bind(6, record.expires_at);
  insert.run();
  return c.changes() == 1;
}

std::vector<PersonalTokenRecord> SqlitePersonalTokenStore::list(std::string_view username) const {
  store::Connection c = db_->lock();
  store::Statement q = c.prepare(
      "SELECT username, name, scopes, created_at, expires_at, last_used_at"
      " FROM personal_tokens WHERE username = ?1 ORDER BY name");
  q.bind(1, username);
  std::vector<PersonalTokenRecord> out;
  while (q.step()) out.push_back(read_record(q));
  return out;
}

std::vector<PersonalTokenGrant> SqlitePersonalTokenStore::grants(std::int64_t now) {
  store::Connection c = db_->lock();
  store::Statement purge =
      c.prepare("DELETE FROM personal_tokens WHERE expires_at IS NOT NULL AND expires_at <= ?1");
  purge.bind(1, now);
  purge.run();
  store::Statement q = c.prepare(
      "SELECT username, name, scopes, created_at, expires_at, last_used_at, token_hash"
      " FROM personal_tokens");
  std::vector<PersonalTokenGrant> out;
  while (q.step()) out.push_back({q.column_text(6), read_record(q), {}});
  return out;
}

int SqlitePersonalTokenStore::remove_user(std::string_view username) {
  store::Connection c = db_->lock();
  store::Statement del = c.prepare("DELETE FROM personal_tokens WHERE username = ?1");
  del.bind(1, username);
  del.run();
  return c.changes();
}

bool SqlitePersonalTokenStore::remove(std::string_view username, std::string_view name) {
  store::Connection c = db_->lock();
  store::Statement del = c.prepare("DELETE FROM personal_tokens WHERE username = ?1 AND name = ?2");
  del.bind(1, username).bind(2, name);
  del.run();
  return c.changes() == 1;
}

void SqlitePersonalTokenStore::record_use(
    const std::vector<std::pair<std::string, std::int64_t>>& uses) {
  if (uses.empty()) return;
  store::Connection c = db_->lock();
  store::Transaction tx = c.transaction();
  store::Statement update = c.prepare(
      "UPDATE personal_tokens SET last_used_at = max(coalesce(last_used_at, 0), ?2)"
      " WHERE token_hash = ?1");
  for (const auto& [hash, at] : uses) {
    update.bind(1, hash).bind(2, at);
    update.run();
    update.reset();
  }
  tx.commit();
}

}  // namespace blender_bus::auth
