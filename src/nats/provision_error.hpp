#pragma once

#include <stdexcept>
#include <string>

namespace blender_bus::nats {

// A stream or bucket that exists with a configuration this program cannot
// accept or change (RePublish differs, storage differs, more replicas than
// the deployment has...). The message names the asset and each difference.
class ProvisionError : public std::runtime_error {
 public:
  ProvisionError(std::string asset, const std::string& message)
      : std::runtime_error(message), asset_(std::move(asset)) {}

  const std::string& asset() const noexcept { return asset_; }

 private:
  std::string asset_;
};

}  // namespace blender_bus::nats
