#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bus/limits.hpp"
#include "delivery/embedded/delivery_policy.hpp"
#include "mcp/session_registry.hpp"
#include "store/database.hpp"
#include "transport/http_options.hpp"

namespace blender_bus::server {

// Everything `serve` needs, gathered from flags and environment by the
// command (flags win over environment).
struct ServeConfig {
  transport::HttpOptions http;
  // --tls-cert / --tls-key: serve HTTPS with this PEM chain and key (both or neither).
  std::string tls_certificate_file;
  std::string tls_private_key_file;
  std::filesystem::path data_dir = "data";
  bool auth_none = false;  // --auth none: loopback-only development mode
  unsigned threads = 0;    // 0: one per core
  mcp::SessionLimits sessions;
  bus::Limits bus_limits;
  delivery::embedded::DeliveryPolicy delivery;  // inbox bounds, stale period (SPEC §9)
  // --modern-presence-timeout: an ephemeral client an MCP 2026-07-28 request
  // registered leaves the bus after this long with no channel open.
  double modern_presence_timeout_seconds = 120;
  // --invitation-lifetime: how long a shared bus's invitation code is valid.
  double invitation_lifetime_seconds = 7 * 24 * 3600;
  // Persistent clients, their inboxes and open jobs survive a restart in the
  // store; --no-durable keeps everything in memory (to compare throughput).
  bool durable = true;
  // --fsync always: every commit is synced (power-loss durable).
  store::DatabaseOptions database;
  // Token and user settings (environment).
  std::optional<std::string> secret_key;
  std::optional<std::string> access_token_expire_minutes;
  std::optional<std::string> refresh_token_expire_days;
  std::optional<std::string> admin_password;
  std::optional<std::string> demo_password;
  // --oidc-issuer / --oidc-audience / --oidc-user-claim: an external OpenID
  // Connect issuer whose access tokens are accepted beside the server's own.
  std::string oidc_issuer;
  std::string oidc_audience;
  std::string oidc_user_claim = "sub";
  // --no-client-metadata-documents: refuse OAuth clients named by a Client
  // ID Metadata Document URL; --client-metadata-private-addresses: fetch
  // such documents from loopback and private addresses too (tests, a
  // studio's own network), plain http on loopback included.
  bool no_client_metadata_documents = false;
  bool client_metadata_private_addresses = false;
  // --oauth-cors-origins: which pages elsewhere may call the OAuth metadata,
  // register, token and revoke routes ("*": any; "none": no page).
  std::vector<std::string> oauth_cors_origins{"*"};
  // --oauth-registration-burst / --oauth-registration-interval: open client
  // registration per address, a burst then one per interval.
  unsigned oauth_registration_burst = 20;
  double oauth_registration_interval_seconds = 180;
  // --cluster URLS: one node of a cluster on NATS JetStream (empty: the
  // embedded single node). --node-name names it, --cluster-replicas sets the
  // replicas of the streams and buckets it creates, --cluster-wait bounds
  // the start's wait for NATS.
  std::vector<std::string> cluster_servers;
  std::string node_name;
  int cluster_replicas = 1;
  std::chrono::seconds cluster_wait{30};
};

}  // namespace blender_bus::server
