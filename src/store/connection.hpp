#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>

#include "store/statement.hpp"
#include "store/transaction.hpp"

struct sqlite3;

namespace blender_bus::store {

// Exclusive use of a Database's connection for as long as this object lives
// (it holds the database's mutex). Obtained from Database::lock(); move-only.
class Connection {
 public:
  Connection(sqlite3* db, std::unique_lock<std::mutex> lock);
  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;

  // One statement, ready to bind; throws StoreError on a syntax error.
  Statement prepare(std::string_view sql);

  // Runs one or more statements without parameters (DDL, pragmas).
  void exec(std::string_view sql);

  Transaction transaction(TransactionMode mode = TransactionMode::immediate);

  std::int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;

 private:
  sqlite3* db_;
  std::unique_lock<std::mutex> lock_;
};

}  // namespace blender_bus::store
