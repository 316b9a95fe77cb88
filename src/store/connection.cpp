#include "store/connection.hpp"

#include <sqlite3.h>

#include <string>

#include "store/sqlite_error.hpp"

namespace blender_bus::store {

Connection::Connection(sqlite3* db, std::unique_lock<std::mutex> lock)
    : db_(db), lock_(std::move(lock)) {}

Statement Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    throw_sqlite_error(db_, rc, "preparing '" + std::string(sql) + "'");
  }
  return Statement(db_, stmt);
}

void Connection::exec(std::string_view sql) {
  // sqlite3_exec needs a terminated string.
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "executing '" + text + "'");
}

Transaction Connection::transaction(TransactionMode mode) {
  return Transaction(db_, mode);
}

std::int64_t Connection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

int Connection::changes() const {
  return sqlite3_changes(db_);
}

}  // namespace blender_bus::store
