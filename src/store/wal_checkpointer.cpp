#include "store/wal_checkpointer.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <string>

#include "store/store_error.hpp"

namespace blender_bus::store {

WalCheckpointer::WalCheckpointer(const std::filesystem::path& file, sqlite3* writer,
                                 int synchronous, std::chrono::milliseconds busy_timeout,
                                 int threshold_pages)
    : writer_(writer),
      threshold_pages_(threshold_pages),
      restart_pages_(kRestartFactor * threshold_pages),
      inline_pages_(kInlineFactor * threshold_pages) {
  const int rc = sqlite3_open_v2(file.c_str(), &own_, SQLITE_OPEN_READWRITE, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = own_ != nullptr ? sqlite3_errmsg(own_) : sqlite3_errstr(rc);
    sqlite3_close(own_);
    throw StoreError("opening " + file.string() + " for checkpoints: " + message, rc);
  }
  sqlite3_busy_timeout(own_, static_cast<int>(busy_timeout.count()));
  // A checkpoint syncs as its connection's level says (OFF would not sync).
  const std::string pragma = "PRAGMA synchronous=" + std::to_string(synchronous);
  if (const int set = sqlite3_exec(own_, pragma.c_str(), nullptr, nullptr, nullptr);
      set != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(own_);
    sqlite3_close(own_);
    throw StoreError("configuring checkpoints of " + file.string() + ": " + message, set);
  }
  thread_ = std::thread([this] { run(); });
  // Replaces SQLite's automatic checkpoint (itself a WAL hook) on `writer`.
  sqlite3_wal_hook(writer_, &WalCheckpointer::on_commit, this);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
  sqlite3_close(own_);
}

int WalCheckpointer::on_commit(void* self_pointer, sqlite3* db, const char* name, int pages) {
  auto* self = static_cast<WalCheckpointer*>(self_pointer);
  if (pages >= self->inline_pages_) {
    // Behind: this commit pays, as with SQLite's own checkpoint. BUSY (the
    // thread is checkpointing right now) is fine: it is catching up.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  // Commits are serialized on the writer's connection: round_base_ needs no lock.
  if (pages < self->round_base_) self->round_base_ = 0;  // the WAL started again
  if (pages - self->round_base_ >= self->threshold_pages_) {
    self->round_base_ = pages;
    self->ask();
  }
  return SQLITE_OK;
}

void WalCheckpointer::ask() {
  {
    std::lock_guard lock(mutex_);
    if (asked_) return;  // one wake-up per round, not one per commit
    asked_ = true;
  }
  changed_.notify_all();
}

std::uint64_t WalCheckpointer::rounds() const {
  std::lock_guard lock(mutex_);
  return rounds_;
}

void WalCheckpointer::wait_idle() const {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !asked_ || stopping_; });
}

void WalCheckpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return asked_ || stopping_; });
    if (stopping_) return;
    lock.unlock();
    checkpoint();
    lock.lock();
    // Commits during the round found it asked.
    asked_ = false;
    ++rounds_;
    changed_.notify_all();
  }
}

void WalCheckpointer::checkpoint() {
  int log = 0;
  int copied = 0;
  int rc = sqlite3_wal_checkpoint_v2(own_, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
  if (rc == SQLITE_OK && log >= restart_pages_) {
    rc = sqlite3_wal_checkpoint_v2(own_, "main", SQLITE_CHECKPOINT_RESTART, &log, &copied);
  }
  // BUSY: a writer or a reader held on past the busy timeout; the WAL is not
  // restarted yet and a later round tries again. Anything else is the disk
  // (the commits will meet it too); neither loses a committed page.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    spdlog::warn("bus store: checkpoint failed: {}", sqlite3_errstr(rc));
  }
}

}  // namespace blender_bus::store
