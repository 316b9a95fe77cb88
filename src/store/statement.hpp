#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace blender_bus::store {

// A prepared statement. Parameters are 1-based (SQLite's convention), columns
// 0-based. Text is bound by copy, so the caller's buffer may go away before
// step(). Values are only ever bound, never spliced into SQL.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) noexcept : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  // Without these, a string literal or std::string would pick bind(bool→int).
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, std::span<const std::byte> blob);
  Statement& bind(int index, std::nullptr_t);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, nullptr);
  }

  // Advances: true when a row is ready to read, false when the statement is
  // done. Throws StoreError on failure (constraint, busy, …).
  bool step();
  // Steps to completion, for statements that return no rows.
  void run();
  // Makes the statement runnable again; bindings are kept until replaced.
  void reset();
  void clear_bindings();

  int column_count() const;
  bool column_is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::vector<std::byte> column_blob(int column) const;

 private:
  void check_bind(int rc, int index) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace blender_bus::store
