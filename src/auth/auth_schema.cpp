#include "auth/auth_schema.hpp"

#include <array>

namespace blender_bus::auth {

namespace {

// Append-only: a released step is never edited (store/migration.hpp).
constexpr std::array<store::Migration, 3> kAuthMigrations{{
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
}};

}  // namespace

void migrate_auth_schema(store::Database& db) {
  db.migrate("auth", kAuthMigrations);
}

}  // namespace blender_bus::auth
