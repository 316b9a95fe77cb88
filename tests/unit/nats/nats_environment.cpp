// nats.c's process-wide state for the whole test program, closed at the end
// so that LeakSanitizer sees nothing of it (the composition root does the
// same in the server).
#include <gtest/gtest.h>

#include <memory>

#include "nats/library.hpp"

namespace {

class NatsEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { library_ = std::make_unique<blender_bus::nats::Library>(); }
  void TearDown() override { library_.reset(); }

 private:
  std::unique_ptr<blender_bus::nats::Library> library_;
};

[[maybe_unused]] const auto* const environment =
    ::testing::AddGlobalTestEnvironment(new NatsEnvironment);

}  // namespace
