#include "server/serve_command.hpp"

#include <cstdlib>
#include <memory>

#include "cli/client_profile.hpp"
#include "cli/stdio_bridge.hpp"
#include "cluster/cluster.hpp"
#include "server/config_file.hpp"
#include "server/http_application.hpp"
#include "server/option_sources.hpp"
#include "server/serve_config.hpp"
#include "server/stdio_application.hpp"

namespace blender_bus::server {

namespace {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

// The cluster flags go together; checked here rather than with CLI11's
// needs(), which would run before the config file is applied.
void apply_cluster_flags(CLI::App& serve, ServeConfig& config, const std::vector<std::string>& urls,
                         unsigned wait_seconds) {
  const bool clustered = !urls.empty();
  if (!clustered) {
    for (const char* flag : {"--node-name", "--cluster-replicas", "--cluster-wait"}) {
      if (serve.get_option(flag)->count() != 0) {
        throw CLI::ValidationError(std::string(flag) + " needs --cluster URLS");
      }
    }
    return;
  }
  try {
    config.cluster_servers = cluster::parse_server_urls(urls);
  } catch (const std::invalid_argument& error) {
    throw CLI::ValidationError(std::string("--cluster: ") + error.what());
  }
  if (auto problem = cluster::node_name_problem(config.node_name)) {
    throw CLI::ValidationError("--node-name: " + *problem);
  }
  config.cluster_wait = std::chrono::seconds(wait_seconds);
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto config = std::make_shared<ServeConfig>();
  auto auth_mode = std::make_shared<std::string>("bearer");
  auto idle_seconds = std::make_shared<unsigned>(30 * 60);
  auto keep_alive_seconds = std::make_shared<unsigned>(15);
  auto config_path = std::make_shared<std::string>();
  auto token_minutes = std::make_shared<std::string>();
  auto refresh_days = std::make_shared<std::string>();
  CLI::App* serve = app.add_subcommand("serve", "Serve MCP over Streamable HTTP");
  serve->add_option("--config", *config_path,
                    "TOML file of settings named like these flags (host = \"0.0.0.0\"); "
                    "flags win over it, it wins over the environment");
  serve->add_option("--host", config->http.host, "Address to bind (env BLENDER_MCP_HOST)")
      ->capture_default_str();
  serve
      ->add_option("--port", config->http.port,
                   "Port to bind, 0: any free port (env BLENDER_MCP_PORT)")
      ->capture_default_str();
  serve->add_option("--data-dir", config->data_dir, "Embedded store and secrets")
      ->capture_default_str();
  serve->add_option("--allow-origin", config->http.allowed_origins,
                    "Another allowed Origin (full origin, or *); repeatable");
  serve
      ->add_option("--auth", *auth_mode,
                   "bearer (default), or none: every request acts as user 'local' "
                   "(loopback only, for development and conformance runs)")
      ->check(CLI::IsMember({"bearer", "none"}))
      ->capture_default_str();
  serve->add_option("--public-url", config->http.public_base_url,
                    "External origin of this server (default http://HOST:PORT)");
  serve->add_option("--threads", config->threads, "I/O threads (0: one per core)")
      ->capture_default_str();
  serve
      ->add_option("--session-idle-timeout", *idle_seconds,
                   "Seconds after which a session without requests or stream ends")
      ->check(CLI::Range(1u, 7u * 24 * 3600))
      ->capture_default_str();
  serve->add_option("--keep-alive", *keep_alive_seconds, "Seconds between SSE keep-alive comments")
      ->check(CLI::Range(1u, 3600u))
      ->capture_default_str();
  auto write_timeout_seconds = std::make_shared<unsigned>(30);
  serve
      ->add_option("--write-timeout", *write_timeout_seconds,
                   "Seconds a write to a client may stall before the connection is cut (a "
                   "stream that stops reading; its records wait in their inboxes)")
      ->check(CLI::Range(1u, 3600u))
      ->capture_default_str();
  auto header_timeout_seconds = std::make_shared<unsigned>(10);
  serve
      ->add_option("--header-timeout", *header_timeout_seconds,
                   "Seconds a request's header may take to arrive (an idle keep-alive connection "
                   "is closed after it too)")
      ->check(CLI::Range(1u, 3600u))
      ->capture_default_str();
  auto body_timeout_seconds = std::make_shared<unsigned>(60);
  serve
      ->add_option("--body-timeout", *body_timeout_seconds,
                   "Seconds a request's body may take to arrive after its header")
      ->check(CLI::Range(1u, 3600u))
      ->capture_default_str();
  serve
      ->add_option("--max-connections", config->http.max_connections,
                   "Open connections at most; beyond, a connection is answered 503 and closed")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
      ->capture_default_str();
  CLI::Option* tls_cert =
      serve->add_option("--tls-cert", config->tls_certificate_file,
                        "PEM certificate chain (server certificate first): serve HTTPS");
  CLI::Option* tls_key =
      serve->add_option("--tls-key", config->tls_private_key_file,
                        "PEM private key (unencrypted) of --tls-cert's certificate");
  tls_cert->needs(tls_key);
  tls_key->needs(tls_cert);
  auto no_durable = std::make_shared<bool>(false);
  serve->add_flag("--no-durable", *no_durable,
                  "Keep clients, inboxes and jobs in memory only (lost on restart)");
  serve
      ->add_option("--inbox-max-records", config->delivery.inbox.max_records,
                   "Records kept per client inbox; the oldest go first (delivered before "
                   "undelivered, which count as dropped)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
      ->capture_default_str();
  serve
      ->add_option("--inbox-max-age", config->delivery.inbox.max_age_seconds,
                   "Seconds a record may wait in an inbox (fractions allowed)")
      ->check(CLI::Range(0.001, 365.0 * 24 * 3600))
      ->capture_default_str();
  serve
      ->add_option("--inbox-max-bytes", config->delivery.inbox.max_bytes,
                   "Serialized bytes kept per client inbox")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 34))
      ->capture_default_str();
  serve
      ->add_option("--max-clients-per-bus", config->bus_limits.max_clients,
                   "Clients one user may register (beyond it a registration is refused)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
      ->capture_default_str();
  serve
      ->add_option("--max-sessions-per-user", config->sessions.max_per_user,
                   "MCP sessions one user may hold open (beyond it initialize gets 429)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
      ->capture_default_str();
  serve
      ->add_option("--max-user-inbox-bytes", config->bus_limits.max_inbox_bytes,
                   "Serialized bytes across all of one user's inboxes; a send that does not "
                   "fit once delivered records are evicted is refused")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 40))
      ->capture_default_str();
  serve
      ->add_option("--max-open-jobs", config->delivery.open_jobs,
                   "Open jobs per user; past it the oldest are forgotten (an update then "
                   "broadcasts)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
      ->capture_default_str();
  auto fsync_mode = std::make_shared<std::string>("normal");
  serve
      ->add_option("--fsync", *fsync_mode,
                   "normal: a kill -9 loses nothing committed, a power loss may lose the last "
                   "commits; always: sync every commit (power-loss durable, slower)")
      ->check(CLI::IsMember({"normal", "always"}))
      ->capture_default_str();
  serve
      ->add_option("--stale-after", config->delivery.stale_after_seconds,
                   "Seconds of silence after which an offline persistent client is marked stale")
      ->check(CLI::Range(1.0, 365.0 * 24 * 3600))
      ->capture_default_str();
  serve
      ->add_option("--modern-presence-timeout", config->modern_presence_timeout_seconds,
                   "Seconds an ephemeral client registered over MCP 2026-07-28 stays on the bus "
                   "with no subscriptions/listen or streaming receive open")
      ->check(CLI::Range(1.0, 365.0 * 24 * 3600))
      ->capture_default_str();
  serve
      ->add_option("--invitation-lifetime", config->invitation_lifetime_seconds,
                   "Seconds a shared bus's invitation code stays valid (default 7 days)")
      ->check(CLI::Range(1.0, 365.0 * 24 * 3600))
      ->capture_default_str();
  serve->add_option("--access-token-expire-minutes", *token_minutes,
                    "Access token lifetime (default 30; env ACCESS_TOKEN_EXPIRE_MINUTES)");
  serve->add_option("--refresh-token-expire-days", *refresh_days,
                    "Refresh token lifetime (default 7; env REFRESH_TOKEN_EXPIRE_DAYS)");
  serve->add_option("--oidc-issuer", config->oidc_issuer,
                    "Also accept access tokens of this OpenID Connect issuer (https URL, or http "
                    "on loopback for tests)");
  serve->add_option("--oidc-audience", config->oidc_audience,
                    "The aud an external issuer's token must name (required with --oidc-issuer)");
  serve
      ->add_option("--oidc-user-claim", config->oidc_user_claim,
                   "The claim naming the user of an external token (users are oidc:<claim>)")
      ->capture_default_str();
  serve->add_flag("--no-client-metadata-documents", config->no_client_metadata_documents,
                  "Refuse OAuth clients whose client_id is a metadata document URL (they are "
                  "fetched by default)");
  serve->add_flag("--client-metadata-private-addresses", config->client_metadata_private_addresses,
                  "Fetch client metadata documents from loopback and private addresses too, and "
                  "over http on loopback (tests; a studio's own network)");
  serve
      ->add_option("--oauth-cors-origins", config->oauth_cors_origins,
                   "Origins of pages that may call the OAuth metadata, register, token and "
                   "revoke routes: * (any), none, or scheme://host[:port] ...")
      ->capture_default_str();
  serve
      ->add_option("--oauth-registration-burst", config->oauth_registration_burst,
                   "OAuth client registrations one address may make at once")
      ->check(CLI::Range(1u, 1000000u))
      ->capture_default_str();
  serve
      ->add_option("--oauth-registration-interval", config->oauth_registration_interval_seconds,
                   "Seconds after which an address may register one more OAuth client")
      ->check(CLI::Range(1.0, 365.0 * 24 * 3600))
      ->capture_default_str();
  auto cluster_urls = std::make_shared<std::vector<std::string>>();
  serve->add_option("--cluster", *cluster_urls,
                    "NATS servers (nats://H:P[,nats://H:P...]) of a JetStream cluster: serve as "
                    "one node of it (users, tokens and the signing secret live there)");
  serve->add_option("--node-name", config->node_name,
                    "This node's name, unique in the cluster (with --cluster)");
  serve
      ->add_option("--cluster-replicas", config->cluster_replicas,
                   "Replicas of the cluster's streams and buckets (1; 3 on three NATS servers)")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
  auto cluster_wait_seconds = std::make_shared<unsigned>(30);
  serve
      ->add_option("--cluster-wait", *cluster_wait_seconds,
                   "Seconds the start waits for NATS (connection, JetStream) before it gives up")
      ->check(CLI::Range(1u, 3600u))
      ->capture_default_str();
  serve->callback([serve, config, config_path, token_minutes, refresh_days, auth_mode, idle_seconds,
                   keep_alive_seconds, no_durable, write_timeout_seconds, header_timeout_seconds,
                   body_timeout_seconds, fsync_mode, cluster_urls, cluster_wait_seconds] {
    std::vector<ConfigSetting> file;
    if (!config_path->empty()) {
      try {
        file = read_config_file(*config_path);
      } catch (const ConfigFileError& error) {
        throw CLI::ValidationError(error.what());
      }
    }
    apply_option_sources(*serve, *config_path, file,
                         {{"--host", "BLENDER_MCP_HOST"},
                          {"--port", "BLENDER_MCP_PORT"},
                          {"--access-token-expire-minutes", "ACCESS_TOKEN_EXPIRE_MINUTES"},
                          {"--refresh-token-expire-days", "REFRESH_TOKEN_EXPIRE_DAYS"}});
    config->http.write_timeout = std::chrono::seconds(*write_timeout_seconds);
    config->http.header_timeout = std::chrono::seconds(*header_timeout_seconds);
    config->http.body_timeout = std::chrono::seconds(*body_timeout_seconds);
    config->database.sync = *fsync_mode == "always" ? store::DatabaseOptions::Sync::full
                                                    : store::DatabaseOptions::Sync::normal;
    config->auth_none = *auth_mode == "none";
    config->durable = !*no_durable;
    config->sessions.idle_timeout = std::chrono::seconds(*idle_seconds);
    config->http.keep_alive_interval = std::chrono::seconds(*keep_alive_seconds);
    config->secret_key = environment("OAUTH_SECRET_KEY");
    if (!token_minutes->empty()) config->access_token_expire_minutes = *token_minutes;
    if (!refresh_days->empty()) config->refresh_token_expire_days = *refresh_days;
    config->admin_password = environment("ADMIN_PASSWORD");
    config->demo_password = environment("DEMO_PASSWORD");
    apply_cluster_flags(*serve, *config, *cluster_urls, *cluster_wait_seconds);
    const int code = run_http_server(*config);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

void add_stdio_command(CLI::App& app) {
  auto bridge = std::make_shared<cli::StdioBridgeOptions>();
  CLI::App* stdio = app.add_subcommand(
      "stdio",
      "Serve MCP over stdin/stdout: on its own, a local server without bus tools; with "
      "--connect, a bridge to a bus server (bus tools included) under the token's identity");
  CLI::Option* connect =
      stdio->add_option("--connect", bridge->server,
                        "bus server base URL (e.g. http://127.0.0.1:8000 or https://…): forward "
                        "to it");
  stdio->add_option("--ca-file", bridge->ca_file, cli::kCaFileHelp)
      ->envname("BLENDER_BUS_CA_FILE")
      ->needs(connect);
  stdio
      ->add_option("--token-file", bridge->token_file,
                   "file with the bearer token, bare or JSON with access_token and "
                   "refresh_token (default: the login's credentials for that server)")
      ->needs(connect);
  stdio->callback([bridge] {
    // The bridge is a client of the HTTP server; it lives with the other
    // client code (cli/), this only picks it.
    const int code = bridge->server.empty() ? run_stdio_server() : cli::run_stdio_bridge(*bridge);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace blender_bus::server
