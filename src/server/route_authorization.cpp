#include "server/route_authorization.hpp"

#include <boost/json.hpp>

namespace blender_bus::server {

namespace {

auth::HttpReply detail(unsigned status, std::string_view text) {
  return auth::HttpReply{status, boost::json::serialize(boost::json::object{{"detail", text}}), {}};
}

}  // namespace

std::variant<auth::Principal, auth::HttpReply> authorize(
    const auth::RequestAuthenticator& authenticator, std::string_view authorization) {
  auth::AuthOutcome outcome = authenticator.authenticate(authorization);
  if (auto* failure = std::get_if<auth::AuthFailure>(&outcome)) return detail(401, failure->detail);
  return std::move(std::get<auth::Principal>(outcome));
}

std::variant<auth::Principal, auth::HttpReply> authorize(
    const auth::RequestAuthenticator& authenticator, std::string_view authorization,
    bool (*allowed)(const auth::Principal&), std::string_view refusal) {
  auto outcome = authorize(authenticator, authorization);
  if (auto* principal = std::get_if<auth::Principal>(&outcome); principal && !allowed(*principal)) {
    return detail(403, refusal);
  }
  return outcome;
}

}  // namespace blender_bus::server
