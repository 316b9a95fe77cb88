#include "store/transaction.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <utility>

#include "store/sqlite_error.hpp"

namespace blender_bus::store {

namespace {
void exec_or_throw(sqlite3* db, const char* sql) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(db, rc, sql);
}
}  // namespace

Transaction::Transaction(sqlite3* db, TransactionMode mode) : db_(db), active_(false) {
  exec_or_throw(db_, mode == TransactionMode::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  active_ = true;
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), active_(std::exchange(other.active_, false)) {}

Transaction::~Transaction() {
  if (!active_) return;
  // A destructor cannot throw; a failed rollback is still reported.
  const int rc = sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK && sqlite3_get_autocommit(db_) == 0) {
    spdlog::error("store: rollback failed: {}", sqlite3_errmsg(db_));
  }
}

void Transaction::commit() {
  exec_or_throw(db_, "COMMIT");
  active_ = false;
}

}  // namespace blender_bus::store
