#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace blender_bus::server {

// Creates the data directory (--data-dir) if missing and checks that the
// server can write there and to its database file, before anything opens
// them: a start on a read-only or foreign directory fails with a message that
// names the directory and the flag, not with SQLite's "readonly database"
// halfway through. Returns that message; nullopt when the directory is usable.
std::optional<std::string> prepare_data_directory(const std::filesystem::path& dir,
                                                  const std::filesystem::path& database_file);

}  // namespace blender_bus::server
