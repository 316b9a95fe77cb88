#include "auth/route_authorization.hpp"

#include <boost/json.hpp>

namespace blender_bus::auth {

namespace {

HttpReply detail(unsigned status, std::string_view text) {
  return HttpReply{status, boost::json::serialize(boost::json::object{{"detail", text}}), {}};
}

}  // namespace

std::variant<Principal, HttpReply> authorize(const RequestAuthenticator& authenticator,
                                             std::string_view authorization) {
  AuthOutcome outcome = authenticator.authenticate(authorization);
  if (auto* failure = std::get_if<AuthFailure>(&outcome)) return detail(401, failure->detail);
  return std::move(std::get<Principal>(outcome));
}

std::variant<Principal, HttpReply> authorize(const RequestAuthenticator& authenticator,
                                             std::string_view authorization,
                                             bool (*allowed)(const Principal&),
                                             std::string_view refusal) {
  auto outcome = authorize(authenticator, authorization);
  if (auto* principal = std::get_if<Principal>(&outcome); principal && !allowed(*principal)) {
    return detail(403, refusal);
  }
  return outcome;
}

}  // namespace blender_bus::auth
