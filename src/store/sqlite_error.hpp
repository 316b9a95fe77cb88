#pragma once

#include <string_view>

struct sqlite3;

namespace blender_bus::store {

// Throws StoreError("<context>: <SQLite's message>", extended code). `db` may
// be null (then only the code's generic text is used).
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view context);

}  // namespace blender_bus::store
