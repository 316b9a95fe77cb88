#include "auth/auth_schema.hpp"

#include <array>

namespace blender_bus::auth {

namespace {

// Append-only: a released step is never edited (store/migration.hpp).
constexpr std::array<store::Migration, 4> kAuthMigrations{{
    {1,
     "CREATE TABLE users ("
     " username TEXT PRIMARY KEY NOT NULL,"
     " password_hash TEXT NOT NULL,"
     " roles TEXT NOT NULL DEFAULT '[]',"   // JSON array of strings
     " scopes TEXT NOT NULL DEFAULT '[]',"  // JSON array of strings
     " created_at REAL NOT NULL"            // Unix seconds
     ") WITHOUT ROWID;"
     "CREATE TABLE refresh_tokens ("
     " jti TEXT PRIMARY KEY NOT NULL,"
     " token_hash TEXT NOT NULL,"  // hex SHA-256 of the token: a leaked file yields no token
     " username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,"
     " expires_at INTEGER NOT NULL,"  // Unix seconds
     " revoked_at INTEGER"            // NULL while usable
     ");"
     "CREATE INDEX refresh_tokens_by_user ON refresh_tokens(username);"
     "CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens(expires_at);"},
    // Not tied to users: a deleted name keeps its generation, so a namesake
    // starts above every token issued to the deleted user.
    {2,
     "CREATE TABLE token_generations ("
     " username TEXT PRIMARY KEY NOT NULL,"
     " generation INTEGER NOT NULL"
     ") WITHOUT ROWID;"},
    {3,
     "CREATE TABLE personal_tokens ("
     " token_hash TEXT PRIMARY KEY NOT NULL,"  // hex SHA-256: a leaked file yields no token
     // Not tied to the users table: on a cluster node the users live in the
     // cluster. A user's deletion deletes their tokens (remove_user).
     " username TEXT NOT NULL,"
     " name TEXT NOT NULL,"
     " scopes TEXT NOT NULL DEFAULT '[]',"  // JSON array of strings
     " created_at INTEGER NOT NULL,"        // Unix seconds
     " expires_at INTEGER,"                 // NULL: never
     " last_used_at INTEGER,"               // NULL: never used
     " UNIQUE (username, name)"
     ") WITHOUT ROWID;"},
    // The OAuth authorization server: registered clients; grants (one per
    // consent, the family its codes and refresh tokens belong to); codes and
    // refresh tokens by the SHA-256 of their text.
    {4,
     "CREATE TABLE oauth_clients ("
     " client_id TEXT PRIMARY KEY NOT NULL,"
     " client_name TEXT NOT NULL,"
     " redirect_uris TEXT NOT NULL,"  // JSON array of strings
     " application_type TEXT NOT NULL,"
     " created_at INTEGER NOT NULL"  // Unix seconds
     ") WITHOUT ROWID;"
     "CREATE TABLE oauth_grants ("
     " grant_id TEXT PRIMARY KEY NOT NULL,"
     " client_id TEXT NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,"
     " username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,"
     " scopes TEXT NOT NULL DEFAULT '[]',"  // JSON array of strings
     " resource TEXT NOT NULL,"
     " created_at INTEGER NOT NULL,"
     " revoked_at INTEGER"  // NULL while usable
     ") WITHOUT ROWID;"
     "CREATE INDEX oauth_grants_by_user ON oauth_grants(username, client_id);"
     "CREATE TABLE oauth_codes ("
     " code_hash TEXT PRIMARY KEY NOT NULL,"
     " grant_id TEXT NOT NULL REFERENCES oauth_grants(grant_id) ON DELETE CASCADE,"
     " redirect_uri TEXT NOT NULL,"
     " code_challenge TEXT NOT NULL,"  // S256
     " expires_at INTEGER NOT NULL,"
     " used_at INTEGER"  // NULL until exchanged
     ") WITHOUT ROWID;"
     "CREATE TABLE oauth_refresh_tokens ("
     " token_hash TEXT PRIMARY KEY NOT NULL,"
     " grant_id TEXT NOT NULL REFERENCES oauth_grants(grant_id) ON DELETE CASCADE,"
     " expires_at INTEGER NOT NULL,"
     " rotated_at INTEGER"  // NULL while it is the family's current token
     ") WITHOUT ROWID;"
     "CREATE INDEX oauth_refresh_tokens_by_grant ON oauth_refresh_tokens(grant_id);"},
}};

}  // namespace

void migrate_auth_schema(store::Database& db) {
  db.migrate("auth", kAuthMigrations);
}

}  // namespace blender_bus::auth
