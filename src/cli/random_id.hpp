#pragma once

#include <string>

namespace blender_bus::cli {

// A random UUID v4 ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx") for the ids the
// client mints: its ephemeral client uuid and its job ids. Uniqueness, not
// secrecy, is what matters here.
std::string random_uuid();

}  // namespace blender_bus::cli
