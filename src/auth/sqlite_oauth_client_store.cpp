#include "auth/sqlite_oauth_client_store.hpp"

#include "auth/auth_schema.hpp"
#include "auth/string_list_text.hpp"

namespace blender_bus::auth {

SqliteOAuthClientStore::SqliteOAuthClientStore(store::Database& db) : db_(&db) {
  migrate_auth_schema(db);
}

namespace {

constexpr std::string_view kInsert =
    "INSERT INTO oauth_clients(client_id, client_name, redirect_uris, application_type,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5)";

// Runs `sql` (kInsert and its conflict clause) for `client`; rows changed.
int write_client(store::Database& db, const std::string& sql, const OAuthClient& client) {
  store::Connection c = db.lock();
  store::Statement insert = c.prepare(sql);
  insert.bind(1, client.client_id).bind(2, client.client_name);
  insert.bind(3, to_json_text(client.redirect_uris)).bind(4, client.application_type);
  insert.bind(5, client.created_at);
  insert.run();
  return c.changes();
}

}  // namespace

bool SqliteOAuthClientStore::add(const OAuthClient& client) {
  return write_client(*db_, std::string(kInsert) + " ON CONFLICT DO NOTHING", client) == 1;
}

void SqliteOAuthClientStore::put(const OAuthClient& client) {
  write_client(*db_,
               std::string(kInsert) +
                   " ON CONFLICT(client_id) DO UPDATE SET client_name = excluded.client_name,"
                   " redirect_uris = excluded.redirect_uris,"
                   " application_type = excluded.application_type",
               client);
}

std::optional<OAuthClient> SqliteOAuthClientStore::find(std::string_view client_id) const {
  store::Connection c = db_->lock();
  store::Statement q = c.prepare(
      "SELECT client_id, client_name, redirect_uris, application_type, created_at"
      " FROM oauth_clients WHERE client_id = ?1");
  q.bind(1, client_id);
  if (!q.step()) return std::nullopt;
  return OAuthClient{q.column_text(0), q.column_text(1), from_json_text(q.column_text(2)),
                     q.column_text(3), q.column_int64(4)};
}

}  // namespace blender_bus::auth
