#include "auth/protected_resource_metadata.hpp"

#include <gtest/gtest.h>

namespace blender_bus::auth {
namespace {

TEST(ProtectedResourceMetadata, NamesTheMcpResourceAndItsIssuer) {
  const std::string expected = R"({"resource":"http://127.0.0.1:8000/mcp",)"
                               R"("authorization_servers":["http://127.0.0.1:8000"],)"
                               R"("bearer_methods_supported":["header"]})";
  EXPECT_EQ(protected_resource_metadata("http://127.0.0.1:8000"), expected);
  EXPECT_EQ(protected_resource_metadata("http://127.0.0.1:8000/"), expected);
}

TEST(ProtectedResourceMetadata, ChallengePointsAtTheMetadata) {
  EXPECT_EQ(
      www_authenticate_challenge("https://bus.example/"),
      R"(Bearer resource_metadata="https://bus.example/.well-known/oauth-protected-resource")");
}

}  // namespace
}  // namespace blender_bus::auth
