#include "server/serve_command.hpp"

#include <cstdlib>
#include <memory>

#include "cli/stdio_bridge.hpp"
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
                   "Seconds a record may wait in an inbox")
      ->check(CLI::Range(1.0, 365.0 * 24 * 3600))
      ->capture_default_str();
  serve
      ->add_option("--inbox-max-bytes", config->delivery.inbox.max_bytes,
                   "Serialized bytes kept per client inbox")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 34))
      ->capture_default_str();
  serve
      ->add_option("--stale-after", config->delivery.stale_after_seconds,
                   "Seconds of silence after which an offline persistent client is marked stale")
      ->check(CLI::Range(1.0, 365.0 * 24 * 3600))
      ->capture_default_str();
  serve->add_option("--access-token-expire-minutes", *token_minutes,
                    "Access token lifetime (default 30; env ACCESS_TOKEN_EXPIRE_MINUTES)");
  serve->add_option("--refresh-token-expire-days", *refresh_days,
                    "Refresh token lifetime (default 7; env REFRESH_TOKEN_EXPIRE_DAYS)");
  serve->callback([serve, config, config_path, token_minutes, refresh_days, auth_mode, idle_seconds,
                   keep_alive_seconds, no_durable, write_timeout_seconds] {
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
    config->auth_none = *auth_mode == "none";
    config->durable = !*no_durable;
    config->sessions.idle_timeout = std::chrono::seconds(*idle_seconds);
    config->http.keep_alive_interval = std::chrono::seconds(*keep_alive_seconds);
    config->secret_key = environment("OAUTH_SECRET_KEY");
    if (!token_minutes->empty()) config->access_token_expire_minutes = *token_minutes;
    if (!refresh_days->empty()) config->refresh_token_expire_days = *refresh_days;
    config->admin_password = environment("ADMIN_PASSWORD");
    config->demo_password = environment("DEMO_PASSWORD");
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
                        "bus server base URL (e.g. http://127.0.0.1:8000): forward to it");
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
