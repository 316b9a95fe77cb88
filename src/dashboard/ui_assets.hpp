#pragma once

#include <span>
#include <string_view>

namespace blender_bus::dashboard {

// A file of the dashboard's page, compiled into the binary from ui/ at build
// time (cmake/embed_ui.cmake): no file is read at run time, nothing is
// fetched from elsewhere.
struct UiAsset {
  std::string_view name;  // the file's name under ui/, e.g. "app.js"
  std::string_view content_type;
  std::string_view body;
};

std::span<const UiAsset> ui_assets();

}  // namespace blender_bus::dashboard
