#include "store/sqlite_error.hpp"

#include <sqlite3.h>

#include <string>

#include "store/store_error.hpp"

namespace blender_bus::store {

void throw_sqlite_error(sqlite3* db, int rc, std::string_view context) {
  // sqlite3_errmsg describes the most recent failure on `db`, which is the
  // one at hand: callers hold the connection's lock.
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int code = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string text(context);
  text += ": ";
  text += message != nullptr ? message : sqlite3_errstr(rc);
  throw StoreError(text, code);
}

}  // namespace blender_bus::store
