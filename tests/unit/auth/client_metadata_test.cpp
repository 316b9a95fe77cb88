#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <future>

#include "auth/client_metadata_document.hpp"
#include "auth/client_metadata_resolver.hpp"
#include "auth/public_address.hpp"

namespace blender_bus::auth {
namespace {

bool is_public(const char* text) {
  return is_public_address(boost::asio::ip::make_address(text));
}

TEST(PublicAddress, RefusesLoopbackPrivateLinkLocalAndTheirIpv6Forms) {
  for (const char* address : {"127.0.0.1",
                              "127.1.2.3",
                              "10.0.0.1",
                              "172.16.0.1",
                              "172.31.255.255",
                              "192.168.1.1",
                              "169.254.169.254",
                              "100.64.0.1",
                              "0.0.0.0",
                              "224.0.0.1",
                              "255.255.255.255",
                              "192.0.2.1",
                              "::1",
                              "::",
                              "fe80::1",
                              "fc00::1",
                              "fd12:3456::1",
                              "ff02::1",
                              "::ffff:127.0.0.1",
                              "::ffff:10.0.0.1",
                              "64:ff9b::a9fe:a9fe",
                              "2001:db8::1",
                              "::127.0.0.1"}) {
    EXPECT_FALSE(is_public(address)) << address;
  }
  for (const char* address :
       {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"}) {
    EXPECT_TRUE(is_public(address)) << address;
  }
}

TEST(ClientIdUrl, FollowsTheDraftsRules) {
  EXPECT_TRUE(is_client_id_url("https://app.example/client.json"));
  EXPECT_TRUE(is_client_id_url("http://127.0.0.1:9/c"));
  EXPECT_FALSE(is_client_id_url("0123abcd"));
  EXPECT_EQ(client_id_url_problem("https://app.example/oauth/client.json", false), "");
  EXPECT_EQ(client_id_url_problem("https://app.example:8443/c", false), "");
  EXPECT_NE(client_id_url_problem("http://app.example/c", false), "");
  EXPECT_EQ(client_id_url_problem("http://127.0.0.1:9/c", true), "");
  EXPECT_NE(client_id_url_problem("https://app.example", false), "");
  EXPECT_NE(client_id_url_problem("https://app.example/", false), "");
  EXPECT_NE(client_id_url_problem("https://app.example/a/../c", false), "");
  EXPECT_NE(client_id_url_problem("https://app.example/./c", false), "");
  EXPECT_NE(client_id_url_problem("https://app.example/a/%2e%2e/c", false), "");
  EXPECT_NE(client_id_url_problem("https://app.example/c#f", false), "");
  EXPECT_NE(client_id_url_problem("https://app.example/c?x=1", false), "");
  EXPECT_NE(client_id_url_problem("https://user:pw@app.example/c", false), "");
  EXPECT_NE(client_id_url_problem("https://app.example/" + std::string(2100, 'a'), false), "");
}

TEST(ClientMetadataDocument, ReadsAPublicClientWhoseIdIsItsUrl) {
  const std::string url = "https://app.example/client.json";
  auto read = read_client_metadata_document(
      url, R"({"client_id":"https://app.example/client.json","client_name":"Example App",
               "redirect_uris":["https://app.example/callback"]})");
  ASSERT_TRUE(std::holds_alternative<OAuthClient>(read));
  const auto& client = std::get<OAuthClient>(read);
  EXPECT_EQ(client.client_id, url);
  EXPECT_EQ(client.client_name, "Example App");
  EXPECT_EQ(client.redirect_uris, std::vector<std::string>{"https://app.example/callback"});
  EXPECT_EQ(client.application_type, "web");
}

TEST(ClientMetadataDocument, RefusesWhatTheDraftForbids) {
  const std::string url = "https://app.example/client.json";
  auto reason = [&url](std::string_view body) {
    auto read = read_client_metadata_document(url, body);
    return std::holds_alternative<ClientMetadataRefusal>(read)
               ? std::get<ClientMetadataRefusal>(read).reason
               : std::string();
  };
  EXPECT_NE(reason("not json"), "");
  EXPECT_NE(reason("[1]"), "");
  EXPECT_NE(reason(R"({"redirect_uris":["https://app.example/cb"]})"), "");
  EXPECT_NE(reason(R"({"client_id":"https://other.example/client.json",
                       "redirect_uris":["https://app.example/cb"]})"),
            "");
  EXPECT_NE(reason(R"({"client_id":"https://app.example/client.json","client_secret":"s",
                       "redirect_uris":["https://app.example/cb"]})"),
            "");
  EXPECT_NE(reason(R"({"client_id":"https://app.example/client.json",
                       "token_endpoint_auth_method":"client_secret_basic",
                       "redirect_uris":["https://app.example/cb"]})"),
            "");
  EXPECT_NE(reason(R"({"client_id":"https://app.example/client.json"})"), "");
}

TEST(ClientMetadataLifetime, FollowsCacheControlWithinBounds) {
  const ClientMetadataPolicy policy;
  using std::chrono::seconds;
  EXPECT_EQ(client_metadata_lifetime("", policy), policy.default_lifetime);
  EXPECT_EQ(client_metadata_lifetime("public, max-age=600", policy), seconds(600));
  EXPECT_EQ(client_metadata_lifetime("max-age=\"900\"", policy), seconds(900));
  EXPECT_EQ(client_metadata_lifetime("Max-Age=1", policy), policy.min_lifetime);
  EXPECT_EQ(client_metadata_lifetime("max-age=99999999", policy), policy.max_lifetime);
  EXPECT_EQ(client_metadata_lifetime("max-age=99999999999999999999999", policy),
            policy.max_lifetime);
  EXPECT_EQ(client_metadata_lifetime("no-store", policy), policy.min_lifetime);
  EXPECT_EQ(client_metadata_lifetime("max-age=600, no-cache", policy), policy.min_lifetime);
  EXPECT_EQ(client_metadata_lifetime("max-age=x", policy), policy.default_lifetime);
}

TEST(ClientMetadataResolver, RefusesAPrivateTargetWithoutConnecting) {
  ClientMetadataResolver resolver;  // public addresses only
  auto outcome = resolver.resolve("https://127.0.0.1:1/client.json");
  ASSERT_TRUE(std::holds_alternative<ClientMetadataRefusal>(outcome));
  EXPECT_NE(std::get<ClientMetadataRefusal>(outcome).reason.find("not a public address"),
            std::string::npos)
      << std::get<ClientMetadataRefusal>(outcome).reason;
  EXPECT_EQ(resolver.entries(), 1u);  // the refusal is kept a while
}

// A real listener that accepts and never answers: the first fetch hangs on
// it until its timeout, and a second one meanwhile is refused as busy.
TEST(ClientMetadataResolver, BoundsTheFetchesRunningAtOnce) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const std::string base = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
  ClientMetadataPolicy policy;
  policy.allow_private_addresses = true;
  policy.timeout = std::chrono::milliseconds(1500);
  policy.max_concurrent_fetches = 1;
  ClientMetadataResolver resolver(policy);
  auto hanging = std::async(std::launch::async, [&] { return resolver.resolve(base + "/slow"); });
  boost::asio::ip::tcp::socket held = acceptor.accept();  // the first fetch is in flight
  auto busy = resolver.resolve(base + "/other");
  ASSERT_TRUE(std::holds_alternative<ClientMetadataRefusal>(busy));
  EXPECT_NE(std::get<ClientMetadataRefusal>(busy).reason.find("busy"), std::string::npos);
  auto timed_out = hanging.get();
  ASSERT_TRUE(std::holds_alternative<ClientMetadataRefusal>(timed_out));
  EXPECT_NE(std::get<ClientMetadataRefusal>(timed_out).reason.find("could not be fetched"),
            std::string::npos);
  EXPECT_EQ(resolver.entries(), 1u);  // the busy refusal is not kept
}

}  // namespace
}  // namespace blender_bus::auth
