#pragma once

struct sqlite3;

namespace blender_bus::store {

// `immediate` takes the write lock at once, so two writers queue on the busy
// timeout instead of failing half-way with SQLITE_BUSY on lock upgrade.
enum class TransactionMode { deferred, immediate };

// RAII transaction: rolled back on destruction unless commit() ran. Made by
// Connection::transaction(); not nestable (SQLite reports an error).
class Transaction {
 public:
  Transaction(sqlite3* db, TransactionMode mode);
  ~Transaction();
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  sqlite3* db_;
  bool active_;
};

}  // namespace blender_bus::store
