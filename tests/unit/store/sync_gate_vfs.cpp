#include "sync_gate_vfs.hpp"

#include <stdexcept>

namespace blender_bus::store {

namespace {

// Our file: the real VFS's file lives right after it (szOsFile covers both).
struct GateFile {
  sqlite3_file base;
  SyncGateVfs* gate;
  sqlite3_file* real;
};

sqlite3_file* real_of(sqlite3_file* f) {
  return reinterpret_cast<GateFile*>(f)->real;
}

const sqlite3_io_methods* methods_of(sqlite3_file* f) {
  return real_of(f)->pMethods;
}

int gate_close(sqlite3_file* f) {
  return methods_of(f)->xClose(real_of(f));
}
int gate_read(sqlite3_file* f, void* out, int n, sqlite3_int64 offset) {
  return methods_of(f)->xRead(real_of(f), out, n, offset);
}
int gate_write(sqlite3_file* f, const void* in, int n, sqlite3_int64 offset) {
  return methods_of(f)->xWrite(real_of(f), in, n, offset);
}
int gate_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return methods_of(f)->xTruncate(real_of(f), size);
}
int gate_sync(sqlite3_file* f, int flags) {
  reinterpret_cast<GateFile*>(f)->gate->pass_sync();
  return methods_of(f)->xSync(real_of(f), flags);
}
int gate_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return methods_of(f)->xFileSize(real_of(f), size);
}
int gate_lock(sqlite3_file* f, int level) {
  return methods_of(f)->xLock(real_of(f), level);
}
int gate_unlock(sqlite3_file* f, int level) {
  return methods_of(f)->xUnlock(real_of(f), level);
}
int gate_check_reserved(sqlite3_file* f, int* out) {
  return methods_of(f)->xCheckReservedLock(real_of(f), out);
}
int gate_file_control(sqlite3_file* f, int op, void* arg) {
  return methods_of(f)->xFileControl(real_of(f), op, arg);
}
int gate_sector_size(sqlite3_file* f) {
  return methods_of(f)->xSectorSize(real_of(f));
}
int gate_device(sqlite3_file* f) {
  return methods_of(f)->xDeviceCharacteristics(real_of(f));
}
int gate_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return methods_of(f)->xShmMap(real_of(f), page, size, extend, out);
}
int gate_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return methods_of(f)->xShmLock(real_of(f), offset, n, flags);
}
void gate_shm_barrier(sqlite3_file* f) {
  methods_of(f)->xShmBarrier(real_of(f));
}
int gate_shm_unmap(sqlite3_file* f, int remove) {
  return methods_of(f)->xShmUnmap(real_of(f), remove);
}
int gate_fetch(sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
  return methods_of(f)->xFetch(real_of(f), offset, n, out);
}
int gate_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return methods_of(f)->xUnfetch(real_of(f), offset, p);
}

const sqlite3_io_methods kGateMethods{
    3,
    gate_close,
    gate_read,
    gate_write,
    gate_truncate,
    gate_sync,
    gate_file_size,
    gate_lock,
    gate_unlock,
    gate_check_reserved,
    gate_file_control,
    gate_sector_size,
    gate_device,
    gate_shm_map,
    gate_shm_lock,
    gate_shm_barrier,
    gate_shm_unmap,
    gate_fetch,
    gate_unfetch,
};

SyncGateVfs* gate_of(sqlite3_vfs* vfs) {
  return static_cast<SyncGateVfs*>(vfs->pAppData);
}

sqlite3_vfs* real_vfs(sqlite3_vfs* vfs) {
  return gate_of(vfs)->real();
}

int vfs_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* gate_file = reinterpret_cast<GateFile*>(file);
  gate_file->gate = nullptr;
  gate_file->real = reinterpret_cast<sqlite3_file*>(gate_file + 1);
  gate_file->real->pMethods = nullptr;
  gate_file->base.pMethods = nullptr;
  sqlite3_vfs* real = real_vfs(vfs);
  const int rc = real->xOpen(real, name, gate_file->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (gate_file->real->pMethods) gate_file->real->pMethods->xClose(gate_file->real);
    return rc;
  }
  return SQLITE_OK;
}

}  // namespace

SyncGateVfs::SyncGateVfs() {
  real_ = sqlite3_vfs_find(nullptr);
  if (!real_) throw std::runtime_error("no default SQLite VFS");
  vfs_.iVersion = 2;
  vfs_.szOsFile = static_cast<int>(sizeof(GateFile)) + real_->szOsFile;
  vfs_.mxPathname = real_->mxPathname;
  vfs_.zName = "bb-sync-gate";
  vfs_.pAppData = this;
  vfs_.xOpen = [](sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out) {
    const int rc = vfs_open(vfs, name, file, flags, out);
    if (rc == SQLITE_OK) {
      auto* gate_file = reinterpret_cast<GateFile*>(file);
      gate_file->gate = gate_of(vfs);
      gate_file->base.pMethods = &kGateMethods;
    }
    return rc;
  };
  vfs_.xDelete = [](sqlite3_vfs* vfs, const char* name, int sync_dir) {
    return real_vfs(vfs)->xDelete(real_vfs(vfs), name, sync_dir);
  };
  vfs_.xAccess = [](sqlite3_vfs* vfs, const char* name, int flags, int* out) {
    return real_vfs(vfs)->xAccess(real_vfs(vfs), name, flags, out);
  };
  vfs_.xFullPathname = [](sqlite3_vfs* vfs, const char* name, int n, char* out) {
    return real_vfs(vfs)->xFullPathname(real_vfs(vfs), name, n, out);
  };
  vfs_.xDlOpen = [](sqlite3_vfs* vfs, const char* name) {
    return real_vfs(vfs)->xDlOpen(real_vfs(vfs), name);
  };
  vfs_.xDlError = [](sqlite3_vfs* vfs, int n, char* out) {
    real_vfs(vfs)->xDlError(real_vfs(vfs), n, out);
  };
  vfs_.xDlSym = [](sqlite3_vfs* vfs, void* handle, const char* symbol) {
    return real_vfs(vfs)->xDlSym(real_vfs(vfs), handle, symbol);
  };
  vfs_.xDlClose = [](sqlite3_vfs* vfs, void* handle) {
    real_vfs(vfs)->xDlClose(real_vfs(vfs), handle);
  };
  vfs_.xRandomness = [](sqlite3_vfs* vfs, int n, char* out) {
    return real_vfs(vfs)->xRandomness(real_vfs(vfs), n, out);
  };
  vfs_.xSleep = [](sqlite3_vfs* vfs, int us) { return real_vfs(vfs)->xSleep(real_vfs(vfs), us); };
  vfs_.xCurrentTime = [](sqlite3_vfs* vfs, double* out) {
    return real_vfs(vfs)->xCurrentTime(real_vfs(vfs), out);
  };
  vfs_.xGetLastError = [](sqlite3_vfs* vfs, int n, char* out) {
    return real_vfs(vfs)->xGetLastError(real_vfs(vfs), n, out);
  };
  vfs_.xCurrentTimeInt64 = [](sqlite3_vfs* vfs, sqlite3_int64* out) {
    return real_vfs(vfs)->xCurrentTimeInt64(real_vfs(vfs), out);
  };
  if (sqlite3_vfs_register(&vfs_, 1) != SQLITE_OK) throw std::runtime_error("vfs register");
}

SyncGateVfs::~SyncGateVfs() {
  open();
  sqlite3_vfs_unregister(&vfs_);
  sqlite3_vfs_register(real_, 1);
}

void SyncGateVfs::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
}

void SyncGateVfs::open() {
  {
    std::lock_guard lock(mutex_);
    closed_ = false;
  }
  changed_.notify_all();
}

void SyncGateVfs::wait_for_held_sync() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return held_ > 0; });
}

int SyncGateVfs::syncs() const {
  std::lock_guard lock(mutex_);
  return syncs_;
}

void SyncGateVfs::pass_sync() {
  std::unique_lock lock(mutex_);
  ++syncs_;
  ++held_;
  changed_.notify_all();
  changed_.wait(lock, [&] { return !closed_; });
  --held_;
}

}  // namespace blender_bus::store
