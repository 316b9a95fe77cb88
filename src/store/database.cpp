#include "store/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "store/sqlite_error.hpp"
#include "store/store_error.hpp"

namespace blender_bus::store {

namespace {

// PRAGMA user_version: the format of the store's own bookkeeping.
constexpr int kBookkeepingVersion = 1;

bool is_in_memory(const std::filesystem::path& file) {
  return file.empty() || file == ":memory:";
}

// SQLite would create the file with the umask's mode (often 0644); the store
// holds password hashes, so it is created private first. SQLite gives its
// -wal and -shm files the mode of the database file.
void create_private_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    throw StoreError("creating " + file.string() + ": " + std::strerror(errno));
  }
}

}  // namespace

Database::Database(const std::filesystem::path& file, DatabaseOptions options) {
  if (!is_in_memory(file)) create_private_file(file);
  const std::string name = is_in_memory(file) ? std::string(":memory:") : file.string();
  const int rc =
      sqlite3_open_v2(name.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    // Even on failure SQLite usually hands back a handle that carries the
    // message; it must still be closed.
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("opening " + name + ": " + message, rc);
  }
  try {
    configure(file, options);
  } catch (...) {
    checkpointer_.reset();
    sqlite3_close(db_);
    throw;
  }
}

Database::~Database() {
  checkpointer_.reset();
  sqlite3_close(db_);
}

std::filesystem::path Database::file_in(const std::filesystem::path& data_dir) {
  return data_dir / kDatabaseFileName;
}

void Database::configure(const std::filesystem::path& file, const DatabaseOptions& options) {
  sqlite3_extended_result_codes(db_, 1);
  const int rc = sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "setting the busy timeout");

  Connection c = lock();
  // WAL lets readers (another process, a later reader pool) proceed during a
  // write. An in-memory database answers "memory" here, which is fine.
  c.exec("PRAGMA journal_mode=WAL");
  const int synchronous = options.sync == DatabaseOptions::Sync::full ? 2 : 1;
  c.exec("PRAGMA synchronous=" + std::to_string(synchronous));
  c.exec("PRAGMA foreign_keys=ON");

  Transaction tx = c.transaction();
  Statement version = c.prepare("PRAGMA user_version");
  version.step();
  const int found = static_cast<int>(version.column_int64(0));
  version.reset();
  if (found > kBookkeepingVersion) {
    throw StoreError("the store's format is version " + std::to_string(found) +
                     ", newer than this build knows (" + std::to_string(kBookkeepingVersion) + ")");
  }
  if (found < 1) {
    c.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " component TEXT PRIMARY KEY,"
        " version INTEGER NOT NULL)");
    c.exec("PRAGMA user_version=" + std::to_string(kBookkeepingVersion));
  }
  tx.commit();
  // A checkpoint copies the WAL's pages back into the file and syncs both.
  // SQLite's own runs inside a commit; this one runs beside the commits.
  if (!is_in_memory(file)) {
    checkpointer_ = std::make_unique<WalCheckpointer>(file, db_, synchronous, options.busy_timeout,
                                                      options.checkpoint_pages);
  }
}

Connection Database::lock() {
  return Connection(db_, std::unique_lock<std::mutex>(mutex_));
}

int Database::schema_version(std::string_view component) {
  Connection c = lock();
  Statement q = c.prepare("SELECT version FROM schema_migrations WHERE component = ?1");
  q.bind(1, component);
  return q.step() ? static_cast<int>(q.column_int64(0)) : 0;
}

std::int64_t Database::data_version() {
  Connection c = lock();
  Statement q = c.prepare("PRAGMA data_version");
  q.step();
  return q.column_int64(0);
}

void Database::migrate(std::string_view component, std::span<const Migration> steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].version != static_cast<int>(i) + 1) {
      throw StoreError("migrations of '" + std::string(component) +
                       "' must be numbered 1, 2, 3 …; step " + std::to_string(i + 1) + " says " +
                       std::to_string(steps[i].version));
    }
  }
  Connection c = lock();
  // Immediate: a second process migrating at the same time waits here and
  // then sees the first one's version.
  Transaction tx = c.transaction(TransactionMode::immediate);
  Statement q = c.prepare("SELECT version FROM schema_migrations WHERE component = ?1");
  q.bind(1, component);
  const int current = q.step() ? static_cast<int>(q.column_int64(0)) : 0;
  q.reset();
  const int latest = static_cast<int>(steps.size());
  if (current > latest) {
    throw StoreError("the schema of '" + std::string(component) + "' is version " +
                     std::to_string(current) + ", newer than this build knows (" +
                     std::to_string(latest) + ")");
  }
  if (current == latest) return;  // nothing to do; the transaction rolls back
  for (const Migration& step : steps.subspan(static_cast<std::size_t>(current))) {
    c.exec(step.sql);
  }
  Statement record = c.prepare(
      "INSERT INTO schema_migrations(component, version) VALUES (?1, ?2)"
      " ON CONFLICT(component) DO UPDATE SET version = excluded.version");
  record.bind(1, component).bind(2, latest);
  record.run();
  tx.commit();
}

}  // namespace blender_bus::store
