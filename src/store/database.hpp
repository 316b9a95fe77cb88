#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

#include "store/connection.hpp"
#include "store/migration.hpp"
#include "store/wal_checkpointer.hpp"

struct sqlite3;

namespace blender_bus::store {

// The store's file inside a data directory: every layer shares this one file.
inline constexpr std::string_view kDatabaseFileName = "blender-bus.db";

struct DatabaseOptions {
  // How long a write waits for another process (e.g. `blender-bus user add`
  // beside a running server) before SQLITE_BUSY becomes a StoreError.
  std::chrono::milliseconds busy_timeout{5000};
  // When a commit reaches the disk. In WAL mode, `normal` syncs the WAL only
  // at checkpoints: a crash of the process (kill -9) loses nothing committed,
  // a power loss or OS crash may lose the last commits. `full` syncs the WAL
  // on every commit: committed survives a power loss too, at the cost of an
  // fsync per transaction (--fsync always).
  enum class Sync { normal, full };
  Sync sync = Sync::normal;
  // WAL growth in pages after which the checkpoints' thread copies the WAL
  // back (32 MiB of 4 KiB pages); the WAL starts again from its beginning
  // once it holds four times that (128 MiB), and at eight times a commit
  // checkpoints itself, which bounds it (WalCheckpointer).
  int checkpoint_pages = 8192;
};

// The embedded store: one SQLite connection in WAL mode with foreign keys on.
// A file database's WAL is checkpointed off the commit path, on a thread and
// a connection of its own (see WalCheckpointer).
//
// Thread-safety rule: the connection is used by one thread at a time. `lock()`
// blocks until it is free and returns a Connection that holds it; every
// Statement and Transaction is made from that Connection and must be gone
// before it is. Keep a Connection for one short unit of work (no waiting, no
// I/O other than the database) so that the hot path is never stalled.
//
// Schemas: each component (e.g. "auth", later "bus") migrates its own tables
// with `migrate(component, steps)`; the applied version per component is kept
// in the table `schema_migrations`. PRAGMA user_version numbers the store's
// own bookkeeping format, so several components can share the file without
// agreeing on one global version number.
class Database {
 public:
  // Opens (creating when missing) the database at `file`; ":memory:" gives a
  // private in-memory database. A new file is created with mode 0600: it holds
  // password hashes.
  explicit Database(const std::filesystem::path& file, DatabaseOptions options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // `<data_dir>/blender-bus.db`.
  static std::filesystem::path file_in(const std::filesystem::path& data_dir);

  Connection lock();

  // Applies, in one immediate transaction, the steps of `component` newer than
  // its recorded version. Throws StoreError when the steps are not numbered
  // 1, 2, 3 …, or when the file was written by a newer build (a version above
  // the last step).
  void migrate(std::string_view component, std::span<const Migration> steps);

  // Applied version of `component`, 0 when it has none.
  int schema_version(std::string_view component);

  // The checkpoints' thread; null for an in-memory database (no WAL).
  const WalCheckpointer* checkpointer() const { return checkpointer_.get(); }

  // PRAGMA data_version: changes when another connection (another process,
  // such as `blender-bus user del`) has committed since the last call; this
  // connection's own commits leave it alone. Cheap: no table is read.
  std::int64_t data_version();

 private:
  void configure(const std::filesystem::path& file, const DatabaseOptions& options);

  sqlite3* db_ = nullptr;
  std::mutex mutex_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // hooks db_: gone before it closes
};

}  // namespace blender_bus::store
