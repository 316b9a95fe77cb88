#include "auth/sqlite_user_store.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "auth/auth_schema.hpp"
#include "auth/username.hpp"

namespace blender_bus::auth {

namespace json = boost::json;

namespace {

void require_valid_username(std::string_view username) {
  if (auto problem = username_problem(username)) throw std::invalid_argument(*problem);
}

std::string to_json_text(const std::vector<std::string>& items) {
  json::array array;
  for (const auto& item : items) array.emplace_back(item);
  return json::serialize(array);
}

// Lists were written by to_json_text; anything else reads as empty rather
// than failing a login over a hand-edited row.
std::vector<std::string> from_json_text(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  const json::value value = json::parse(text, ec);
  if (ec || !value.is_array()) return out;
  for (const auto& item : value.as_array()) {
    if (item.is_string()) out.emplace_back(item.as_string());
  }
  return out;
}

// Columns 0-4 are read by read_user; a query may add more after them.
constexpr const char* kSelectUser =
    "SELECT u.username, u.roles, u.scopes, u.created_at, coalesce(g.generation, 0)";
constexpr const char* kFromUsers =
    " FROM users u LEFT JOIN token_generations g ON g.username = u.username";

UserRecord read_user(const store::Statement& row) {
  return {row.column_text(0), from_json_text(row.column_text(1)),
          from_json_text(row.column_text(2)), row.column_double(3),
          static_cast<std::uint64_t>(row.column_int64(4))};
}

// Every access token issued to `username` so far stops working.
void bump_generation(store::Connection& c, std::string_view username) {
  store::Statement bump = c.prepare(
      "INSERT INTO token_generations(username, generation) VALUES (?1, 1)"
      " ON CONFLICT(username) DO UPDATE SET generation = generation + 1");
  bump.bind(1, username);
  bump.run();
}

std::string select_users(std::string_view rest) {
  return std::string(kSelectUser) + kFromUsers + std::string(rest);
}

}  // namespace

SqliteUserStore::SqliteUserStore(store::Database& db, const PasswordHasher& hasher, Clock clock)
    : db_(&db), hasher_(&hasher), clock_(std::move(clock)) {
  migrate_auth_schema(db);
}

bool SqliteUserStore::add(std::string_view username, std::string_view password,
                    const std::vector<std::string>& roles, const std::vector<std::string>& scopes) {
  require_valid_username(username);
  const std::string hash = hasher_->hash(password);  // before locking: it is the slow part
  const double now = std::chrono::duration<double>(clock_().time_since_epoch()).count();
  store::Connection c = db_->lock();
  store::Statement insert = c.prepare(
      "INSERT INTO users(username, password_hash, roles, scopes, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(username) DO NOTHING");
  insert.bind(1, username).bind(2, hash).bind(3, to_json_text(roles));
  insert.bind(4, to_json_text(scopes)).bind(5, now);
  insert.run();
  return c.changes() == 1;
}

bool SqliteUserStore::set_password(std::string_view username, std::string_view password) {
  const std::string hash = hasher_->hash(password);
  store::Connection c = db_->lock();
  store::Transaction tx = c.transaction();
  store::Statement update = c.prepare("UPDATE users SET password_hash = ?2 WHERE username = ?1");
  update.bind(1, username).bind(2, hash);
  update.run();
  if (c.changes() != 1) return false;
  bump_generation(c, username);
  tx.commit();
  return true;
}

bool SqliteUserStore::remove(std::string_view username) {
  store::Connection c = db_->lock();
  store::Transaction tx = c.transaction();
  store::Statement del = c.prepare("DELETE FROM users WHERE username = ?1");
  del.bind(1, username);
  del.run();
  if (c.changes() != 1) return false;
  bump_generation(c, username);
  tx.commit();
  return true;
}

bool SqliteUserStore::revoke_access_tokens(std::string_view username) {
  store::Connection c = db_->lock();
  store::Transaction tx = c.transaction();
  store::Statement exists = c.prepare("SELECT 1 FROM users WHERE username = ?1");
  exists.bind(1, username);
  if (!exists.step()) return false;
  exists.reset();
  bump_generation(c, username);
  tx.commit();
  return true;
}

std::optional<UserRecord> SqliteUserStore::find(std::string_view username) const {
  store::Connection c = db_->lock();
  store::Statement q = c.prepare(select_users(" WHERE u.username = ?1"));
  q.bind(1, username);
  if (!q.step()) return std::nullopt;
  return read_user(q);
}

std::vector<UserRecord> SqliteUserStore::list() const {
  store::Connection c = db_->lock();
  store::Statement q = c.prepare(select_users(" ORDER BY u.username"));
  std::vector<UserRecord> out;
  while (q.step()) out.push_back(read_user(q));
  return out;
}

std::size_t SqliteUserStore::count() const {
  store::Connection c = db_->lock();
  store::Statement q = c.prepare("SELECT count(*) FROM users");
  q.step();
  return static_cast<std::size_t>(q.column_int64(0));
}

std::optional<UserRecord> SqliteUserStore::verify_credentials(std::string_view username,
                                                        std::string_view password) const {
  std::optional<UserRecord> user;
  std::string hash;
  if (!username_problem(username)) {
    store::Connection c = db_->lock();
    store::Statement q = c.prepare(std::string(kSelectUser) + ", u.password_hash" + kFromUsers +
                                   " WHERE u.username = ?1");
    q.bind(1, username);
    if (q.step()) {
      user = read_user(q);
      hash = q.column_text(5);
    }
  }
  if (!user) {
    hasher_->verify_dummy(password);
    return std::nullopt;
  }
  if (!hasher_->verify(hash, password)) return std::nullopt;
  return user;
}

}  // namespace blender_bus::auth
