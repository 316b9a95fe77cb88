#pragma once

#include <filesystem>
#include <string_view>

namespace blender_bus::auth {

// Writes `content` to a new file `path` readable by its owner only (0600).
// The file appears complete or not at all (written aside, then linked into
// place), so a concurrent reader never sees half a secret. Returns false when
// `path` already exists (the existing file is left alone); throws
// std::runtime_error on any other failure.
bool write_private_file_once(const std::filesystem::path& path, std::string_view content);

// Creates `dir` and its parents when missing, new ones with mode 0700.
void create_private_directories(const std::filesystem::path& dir);

}  // namespace blender_bus::auth
