#include "server/http_application.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include "auth/auth_layer.hpp"
#include "auth/local_authenticator.hpp"
#include "auth/private_file.hpp"
#include "auth/protected_resource_metadata.hpp"
#include "auth/token_config.hpp"
#include "auth/url_fetch.hpp"
#include "auth_kv/auth_buckets.hpp"
#include "bus/shared_bus_id.hpp"
#include "cluster/cluster.hpp"
#include "cluster/cluster_start_error.hpp"
#include "dashboard/dashboard_routes.hpp"
#include "delivery/bus_service.hpp"
#include "delivery/bus_stream_source.hpp"
#include "delivery/embedded/bus_manager.hpp"
#include "delivery/embedded/bus_restore.hpp"
#include "delivery/feed_stream_source.hpp"
#include "delivery/jetstream/cluster_assets.hpp"
#include "delivery/jetstream/jetstream_engine.hpp"
#include "delivery/modern_channels.hpp"
#include "delivery/store_journal.hpp"
#include "mcp/dispatcher.hpp"
#include "nats/library.hpp"
#include "nats/nats_error.hpp"
#include "server/auth_backend.hpp"
#include "server/cluster_metrics.hpp"
#include "server/data_directory.hpp"
#include "server/health_route.hpp"
#include "server/instructions.hpp"
#include "server/metrics_route.hpp"
#include "sharing/bus_memberships.hpp"
#include "sharing/shared_bus_store.hpp"
#include "sharing_kv/kv_shared_bus_store.hpp"
#include "sharing_kv/sharing_bucket.hpp"
#include "store/bus_store.hpp"
#include "store/database.hpp"
#include "store/external_change_watch.hpp"
#include "store/group_commit.hpp"
#include "tools/bus_tools.hpp"
#include "tools/inbox_feed.hpp"
#include "tools/job_tasks.hpp"
#include "transport/http_server.hpp"
#include "transport/io_context_pool.hpp"
#include "transport/mcp_endpoint.hpp"
#include "transport/tls_context.hpp"

namespace blender_bus::server {

namespace asio = boost::asio;

namespace {

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string base_url(bool tls, const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// The HTTPS context of --tls-cert/--tls-key; a bad file is reported naming
// its flag, and the server does not start.
std::optional<std::shared_ptr<asio::ssl::context>> load_tls(const ServeConfig& config) {
  if (config.tls_certificate_file.empty()) return std::shared_ptr<asio::ssl::context>();
  try {
    return transport::make_server_tls_context(config.tls_certificate_file,
                                              config.tls_private_key_file);
  } catch (const transport::TlsFileError& e) {
    const bool certificate = e.file() == transport::TlsFileError::File::certificate_chain;
    spdlog::error("{} {}", certificate ? "--tls-cert" : "--tls-key", e.what());
  }
  return std::nullopt;
}

// Why the --oidc-* flags cannot be served as given; nullopt when they can.
std::optional<std::string> oidc_problem(const ServeConfig& config) {
  if (config.oidc_issuer.empty()) {
    if (!config.oidc_audience.empty()) return "--oidc-audience needs --oidc-issuer";
    return std::nullopt;
  }
  if (config.auth_none) return "--oidc-issuer cannot be combined with --auth none";
  if (!auth::fetchable_url(config.oidc_issuer)) {
    return "--oidc-issuer must be an https URL (http only on loopback): " + config.oidc_issuer;
  }
  if (config.oidc_audience.empty()) return "--oidc-issuer needs --oidc-audience";
  if (config.oidc_user_claim.empty()) return "--oidc-user-claim must not be empty";
  if (config.oidc_issuer == config.http.public_base_url) {
    return "--oidc-issuer must not be this server's own URL";
  }
  return std::nullopt;
}

std::optional<std::string> cors_origins_problem(const std::vector<std::string>& origins) {
  if (origins == std::vector<std::string>{"none"}) return std::nullopt;
  for (const auto& origin : origins) {
    if (auto problem = auth::CorsPolicy::origin_problem(origin); !problem.empty()) {
      return "--oauth-cors-origins: " + problem + " (or none alone)";
    }
  }
  return std::nullopt;
}

transport::RouteHandler make_metadata_route(std::string base, std::string external_issuer,
                                            const auth::CorsPolicy& cors) {
  return [base = std::move(base), external_issuer = std::move(external_issuer), &cors](
             const auth::HttpRequestView& request, const transport::RouteReply& reply) {
    if (request.path != auth::kProtectedResourceMetadataPath &&
        request.path != std::string(auth::kProtectedResourceMetadataPath) + "/mcp") {
      return false;
    }
    if (auto preflight = cors.preflight(request)) {
      reply(std::move(*preflight));
      return true;
    }
    auth::HttpReply answer{200, auth::protected_resource_metadata(base, external_issuer), {}};
    cors.decorate(request, answer);
    reply(std::move(answer));
    return true;
  };
}

// Every connection is a descriptor: the soft limit (often 1,024) goes up to
// the hard one, and a limit still too low for --max-connections is said at
// start rather than met as EMFILE under load.
void raise_descriptor_limit(std::size_t max_connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  constexpr std::size_t kReserve = 64;  // store, epoll, timers, logs
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < max_connections + kReserve) {
    spdlog::warn(
        "the descriptor limit ({}) is below --max-connections ({}) plus {}: connections beyond "
        "it wait until descriptors are free; raise it (ulimit -n) or lower --max-connections",
        limit.rlim_cur, max_connections, kReserve);
  }
}

// Takes clients off a shared bus (their member left it) on `executor`.
void take_off_bus(delivery::BusService& service, const asio::any_io_executor& executor,
                  delivery::BusId bus, std::vector<std::string> client_uuids) {
  if (client_uuids.empty()) return;
  asio::co_spawn(executor, service.remove_clients(std::move(bus), std::move(client_uuids)),
                 asio::detached);
}

// Revocation reaches what is open: a user whose tokens were revoked loses
// their sessions (and so their streams); a deleted user's bus goes too, in
// memory and in the store, so a namesake starts empty. Runs on a worker or
// the store watch's thread.
// A deleted user leaves every shared bus too: their clients there go at
// once (on `executor`: taking a client off is a bus operation), and a bus
// they alone owned is archived and forgotten by the engine.
void act_on_user_change(const auth::UserChange& change, delivery::BusService& service,
                        sharing::BusMemberships& memberships,
                        const asio::any_io_executor& executor) {
  if (change.kind == auth::UserChange::Kind::removed) {
    service.forget_user(change.username);
    for (sharing::LeftBus& left : memberships.remove_user(change.username)) {
      const delivery::BusId bus = bus::shared_bus_key(left.bus_id);
      if (left.archived) {
        service.purge_shared_bus(bus);
      } else {
        take_off_bus(service, executor, bus, std::move(left.client_uuids));
      }
    }
    spdlog::info("user '{}' deleted: sessions ended, bus purged, shared buses left",
                 change.username);
    return;
  }
  const std::size_t ended = service.sessions().end_user(change.username);
  spdlog::info("user '{}': tokens revoked, {} session(s) ended", change.username, ended);
}

// Now and then, when personal access tokens were last used goes to the store
// (a minute is the resolution `token list` shows).
void schedule_token_use_flush(asio::steady_timer& timer, auth::AuthLayer& auth_layer) {
  timer.expires_after(std::chrono::seconds(30));
  timer.async_wait([&timer, &auth_layer](boost::system::error_code ec) {
    if (ec) return;
    auth_layer.post_personal_token_flush();
    schedule_token_use_flush(timer, auth_layer);
  });
}

// Group or others may read the store (password hashes) and the secret.
void warn_if_shared(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    spdlog::warn("{} is open to other users (mode {:o}); chmod 700 it", dir.string(),
                 st.st_mode & 0777);
  }
}

// Ends idle sessions now and then; their ephemeral clients leave with them.
void schedule_idle_sweep(asio::steady_timer& timer, mcp::SessionRegistry& sessions,
                         std::chrono::seconds every) {
  timer.expires_after(every);
  timer.async_wait([&timer, &sessions, every](boost::system::error_code ec) {
    if (ec) return;
    if (const auto ended = sessions.expire_idle(std::chrono::steady_clock::now())) {
      spdlog::info("expired {} idle session(s)", ended);
    }
    schedule_idle_sweep(timer, sessions, every);
  });
}

// The streams and buckets of every engine that runs on the cluster.
cluster::ClusterOptions cluster_options(const ServeConfig& config) {
  cluster::ClusterOptions options;
  options.servers = config.cluster_servers;
  options.node_name = config.node_name;
  options.replicas = config.cluster_replicas;
  options.connect_wait = config.cluster_wait;
  options.provision_wait = config.cluster_wait;
  auth::TokenConfig tokens;
  auth::apply_token_lifetimes(tokens, config.access_token_expire_minutes,
                              config.refresh_token_expire_days);
  options.buckets = auth_kv::auth_buckets(tokens.refresh_lifetime);
  options.buckets.push_back(sharing_kv::sharing_bucket());
  delivery::jetstream::AssetOptions assets;
  assets.replicas = config.cluster_replicas;
  assets.max_records_per_client = static_cast<std::int64_t>(config.delivery.inbox.max_records);
  assets.max_age = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(config.delivery.inbox.max_age_seconds));
  options.streams.push_back(delivery::jetstream::records_stream_spec(assets));
  for (auto& bucket : delivery::jetstream::delivery_buckets(assets)) {
    options.buckets.push_back(std::move(bucket));
  }
  return options;
}

// The session streams of a cluster node give back the feeds and holds of
// sessions whose stream closed (their clients go offline on every node).
void schedule_feed_sweep(asio::steady_timer& timer, delivery::FeedStreamSource& source) {
  timer.expires_after(std::chrono::seconds(2));
  timer.async_wait([&timer, &source](boost::system::error_code ec) {
    if (ec) return;
    source.sweep();
    schedule_feed_sweep(timer, source);
  });
}

// Ephemeral clients of MCP 2026-07-28 requests leave once idle past
// `timeout`; looked for four times per timeout (at most once a second).
void schedule_modern_sweep(asio::steady_timer& timer, delivery::ModernChannels& channels,
                           std::chrono::steady_clock::duration timeout) {
  const auto every = std::clamp<std::chrono::steady_clock::duration>(
      timeout / 4, std::chrono::seconds(1), std::chrono::seconds(60));
  timer.expires_after(every);
  timer.async_wait([&timer, &channels, timeout](boost::system::error_code ec) {
    if (ec) return;
    asio::co_spawn(
        timer.get_executor(),
        [&timer, &channels, timeout]() -> asio::awaitable<void> {
          if (const auto left = co_await channels.sweep(timeout)) {
            spdlog::info("{} idle client(s) of MCP 2026-07-28 requests left their bus", left);
          }
          schedule_modern_sweep(timer, channels, timeout);
        },
        asio::detached);
  });
}

// Shutdown, after the acceptor closed: the open listens end with their
// result (a client that reads nothing is given a second), then the threads stop.
asio::awaitable<void> close_listens_then_stop(transport::McpEndpoint& endpoint,
                                              transport::IoContextPool& pool) {
  co_await endpoint.close_listens(std::chrono::seconds(1));
  pool.stop();
}

}  // namespace

int run_http_server(ServeConfig config) {
  // Start errors name what to change: the flag and the value it had.
  boost::system::error_code bad_host;
  const auto address = asio::ip::make_address(config.http.host, bad_host);
  if (bad_host) {
    spdlog::error("--host {}: not an IP address (e.g. 127.0.0.1, 0.0.0.0 or ::)", config.http.host);
    return 1;
  }
  if (config.auth_none && !address.is_loopback()) {
    spdlog::error("--auth none is for local development: refusing to serve it on {}",
                  config.http.host);
    return 2;
  }
  const auto tls = load_tls(config);
  if (!tls) return 2;
  if (!*tls && !address.is_loopback()) {
    spdlog::warn(
        "serving plain HTTP on {}: passwords and bearer tokens cross the network readable; "
        "serve HTTPS with --tls-cert FILE --tls-key FILE, or put a TLS proxy in front (README)",
        config.http.host);
  }
  raise_descriptor_limit(config.http.max_connections);
  if (auto problem = prepare_data_directory(config.data_dir, store::kDatabaseFileName)) {
    spdlog::error("{}", *problem);
    return 1;
  }
  warn_if_shared(config.data_dir);
  // A cluster node joins before it listens: a node that cannot reach its
  // cluster, or whose streams or buckets disagree, does not start.
  std::optional<nats::Library> nats_library;
  // Observed on the ack thread of the cluster's publisher, which it outlives.
  const metrics::PublishMetrics publishes;
  std::unique_ptr<cluster::Cluster> cluster;
  if (!config.cluster_servers.empty()) {
    if (config.http.public_base_url.empty() && !config.auth_none) {
      spdlog::warn(
          "--cluster without --public-url: tokens name this node's own URL as their issuer, so "
          "other nodes refuse them; give every node the same --public-url (the load "
          "balancer's origin)");
    }
    nats_library.emplace();
    try {
      cluster::ClusterOptions options = cluster_options(config);
      options.publish_acked = [&publishes](std::chrono::nanoseconds elapsed) {
        publishes.observe(elapsed);
      };
      cluster = std::make_unique<cluster::Cluster>(std::move(options));
    } catch (const cluster::ClusterStartError& error) {
      spdlog::error("--cluster: {}", error.what());
      return 1;
    }
  }
  store::Database database(config.data_dir / store::kDatabaseFileName, config.database);
  // A cluster node runs both ports on JetStream (records, clients, presence
  // and jobs in the cluster); `buses` then only supplies ids and the clock.
  // Built before the I/O threads' contexts, so that it outlives the
  // coroutines (a long-poll's feed) those still hold when they go.
  std::unique_ptr<delivery::jetstream::JetStreamEngine> engine;
  if (cluster) {
    delivery::jetstream::JetStreamEngine::Options engine_options;
    engine_options.node = config.node_name;
    engine_options.limits = config.bus_limits;
    engine_options.stale_after_seconds = config.delivery.stale_after_seconds;
    try {
      engine = std::make_unique<delivery::jetstream::JetStreamEngine>(
          cluster->connection(), cluster->publisher(), cluster->pool(), unix_seconds,
          engine_options,
          [&nodes = cluster->nodes()](std::string_view node) { return nodes.is_live(node); });
    } catch (const nats::NatsError& error) {
      spdlog::error("--cluster: cannot load the buses: {}", error.what());
      return 1;
    }
  }

  const unsigned threads =
      config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  transport::IoContextPool pool(threads);
  transport::HttpServer http(pool, config.http, *tls);
  asio::ip::tcp::endpoint bound;
  try {
    bound = http.listen();
  } catch (const boost::system::system_error& error) {
    spdlog::error(
        "cannot listen on {}:{}: {} (choose another port with --port or BLENDER_MCP_PORT, 0 for "
        "any free one, or another address with --host)",
        config.http.host, config.http.port, error.code().message());
    return 1;
  }
  config.http.port = bound.port();
  if (config.http.public_base_url.empty()) {
    config.http.public_base_url = base_url(*tls != nullptr, config.http.host, config.http.port);
  }

  auth::AuthSettings auth_settings;
  auth_settings.data_dir = config.data_dir;
  auth_settings.issuer = config.http.public_base_url;
  auth_settings.secret_key = config.secret_key;
  auth_settings.access_token_expire_minutes = config.access_token_expire_minutes;
  auth_settings.refresh_token_expire_days = config.refresh_token_expire_days;
  if (auto problem = oidc_problem(config)) {
    spdlog::error("{}", *problem);
    return 1;
  }
  if (!config.oidc_issuer.empty()) {
    auth_settings.oidc =
        auth::OidcSettings{config.oidc_issuer, config.oidc_audience, config.oidc_user_claim};
  }
  if (auto problem = cors_origins_problem(config.oauth_cors_origins)) {
    spdlog::error("{}", *problem);
    return 1;
  }
  if (config.oauth_cors_origins == std::vector<std::string>{"none"}) {
    auth_settings.cors_origins.clear();
  } else {
    auth_settings.cors_origins = config.oauth_cors_origins;
  }
  auth_settings.registration_throttle.burst = config.oauth_registration_burst;
  auth_settings.registration_throttle.refill_every =
      std::chrono::seconds(static_cast<long long>(config.oauth_registration_interval_seconds));
  if (!config.no_client_metadata_documents) {
    auth_settings.client_metadata->allow_private_addresses =
        config.client_metadata_private_addresses;
  } else {
    auth_settings.client_metadata.reset();
  }
  std::optional<AuthBackend> auth_backend;
  try {
    if (cluster) {
      auth_backend.emplace(*cluster, database, auth_settings.password_cost);
    } else {
      auth_backend.emplace(database, config.data_dir, auth_settings.password_cost);
    }
  } catch (const nats::NatsError& error) {
    spdlog::error("--cluster: cannot read the users: {}", error.what());
    return 1;
  }
  auth::AuthLayer auth_layer(auth_backend->stores(), auth_settings);
  if (const auth::OidcKeySet* keys = auth_layer.oidc_keys()) {
    // An issuer that cannot be read yet does not stop the server (its own
    // users still sign in); its tokens are refused until its keys are read.
    if (!keys->wait_loaded(std::chrono::seconds(10))) {
      spdlog::warn("oidc: no signing keys from {} yet; retrying in the background",
                   config.oidc_issuer);
    } else {
      spdlog::info("oidc: accepting access tokens of {} for audience {}", config.oidc_issuer,
                   config.oidc_audience);
    }
  }
  auth::LocalAuthenticator local_authenticator;
  if (!config.auth_none) {
    auth_layer.bootstrap({config.admin_password, config.demo_password}, std::cout);
  }
  const auth::RequestAuthenticator& authenticator =
      config.auth_none ? static_cast<const auth::RequestAuthenticator&>(local_authenticator)
                       : auth_layer.authenticator();

  // With a store, records of a change it must keep wait for its commit: a
  // send answered with an error reaches nobody.
  config.delivery.hold_until_stored = config.durable;
  delivery::embedded::BusManager buses(
      unix_seconds,
      [](std::span<unsigned char> bytes) { randombytes_buf(bytes.data(), bytes.size()); },
      config.bus_limits, config.delivery);
  // Durable state first: a restart puts persistent clients (offline), their
  // inboxes, each user's sequence and open jobs back before anyone connects.
  // Counted per thread, summed on scrape (GET /metrics).
  const metrics::ServerMetrics recorded;
  std::optional<store::BusStore> bus_store;
  std::optional<store::GroupCommit> group_commit;
  std::optional<delivery::StoreJournal> journal;
  // (A cluster node keeps them in the cluster instead.)
  if (config.durable && !cluster) {
    bus_store.emplace(database);
    const store::BusSnapshot snapshot = bus_store->load();
    delivery::embedded::restore_buses(buses, snapshot);
    spdlog::info("bus store: restored {} persistent client(s), {} record(s), {} open job(s)",
                 snapshot.clients.size(), snapshot.records.size(), snapshot.jobs.size());
    group_commit.emplace(*bus_store, [&recorded](std::chrono::nanoseconds elapsed) {
      recorded.observe_store_commit(elapsed);
    });
    journal.emplace(*group_commit);
  }
  mcp::SessionRegistry sessions(config.sessions);
  std::optional<delivery::BusService> service_storage;
  if (engine) {
    service_storage.emplace(buses, sessions, engine->record_log(), engine->directory(), &recorded);
  } else {
    service_storage.emplace(buses, sessions, journal ? &*journal : nullptr, &recorded);
  }
  delivery::BusService& service = *service_storage;
  std::optional<delivery::BusStreamSource> bus_stream_source;
  std::optional<delivery::FeedStreamSource> feed_stream_source;
  if (engine) {
    feed_stream_source.emplace(service);
  } else {
    bus_stream_source.emplace(service);
  }
  mcp::StreamSource& stream_source =
      engine ? static_cast<mcp::StreamSource&>(*feed_stream_source) : *bus_stream_source;
  mcp::ToolRegistry tools;
  mcp::ResourceRegistry resources;
  mcp::PromptRegistry prompts;
  delivery::ModernChannels modern_channels(service);
  service.presence_beyond_sessions(
      [&modern_channels](std::string_view id) { return modern_channels.presence(id); });
  // Shared buses: their memberships in the store beside the users (a
  // cluster node: in the cluster's KV), held in memory for every call's
  // check. `blender-bus bus …` beside the running server is read back within
  // a second, another node's change a round trip after it, and a member
  // removed there leaves here at once.
  std::unique_ptr<sharing::SharedBusStorage> shared_bus_store;
  sharing_kv::KvSharedBusStore* kv_shared_bus_store = nullptr;
  try {
    if (cluster) {
      auto kv = std::make_unique<sharing_kv::KvSharedBusStore>(*cluster);
      kv_shared_bus_store = kv.get();
      shared_bus_store = std::move(kv);
    } else {
      shared_bus_store = std::make_unique<sharing::SharedBusStore>(database);
    }
  } catch (const nats::NatsError& error) {
    spdlog::error("--cluster: cannot read the shared buses: {}", error.what());
    return 1;
  }
  sharing::BusMemberships memberships(
      shared_bus_store.get(), unix_seconds,
      [](std::span<unsigned char> bytes) { randombytes_buf(bytes.data(), bytes.size()); },
      std::chrono::seconds(static_cast<std::int64_t>(config.invitation_lifetime_seconds)));
  const tools::BusAccess bus_access(&memberships);
  tools::register_bus_tools(tools, resources, prompts, service, bus_access, &modern_channels);
  tools::InboxFeed inbox_feed(modern_channels, bus_access);
  const auto reload_memberships = [&memberships, &service, &pool] {
    for (sharing::LeftBus& left : memberships.reload()) {
      take_off_bus(service, pool.first().get_executor(), bus::shared_bus_key(left.bus_id),
                   std::move(left.client_uuids));
    }
  };
  std::optional<store::ExternalChangeWatch> membership_watch;
  // A burst of KV changes (a removal is two to four keys) is one reload: the
  // flag is set from the mirror's thread and cleared by the reload.
  std::atomic<bool> membership_reload_posted{false};
  if (kv_shared_bus_store) {
    kv_shared_bus_store->on_changed([&membership_reload_posted, &pool, reload_memberships] {
      if (membership_reload_posted.exchange(true)) return;
      asio::post(pool.first().get_executor(), [&membership_reload_posted, reload_memberships] {
        membership_reload_posted.store(false);
        reload_memberships();
      });
    });
  } else {
    membership_watch.emplace(database, std::chrono::seconds(1), reload_memberships);
  }
  mcp::Dispatcher dispatcher(
      mcp::ServerIdentity{"blender-bus", BLENDER_BUS_VERSION, std::string(kBusInstructions)}, tools,
      resources, prompts);
  const metrics::ToolCallMetrics tool_calls(tools.names());
  dispatcher.observe_tool_calls(
      [&tool_calls](const mcp::ToolDefinition& tool, std::chrono::nanoseconds elapsed) {
        if (auto index = tool_calls.index(tool.name)) tool_calls.observe(*index, elapsed);
      });

  tools::JobTasks job_tasks(service);
  transport::McpEndpoint endpoint(config.http, dispatcher, sessions, stream_source, authenticator,
                                  &inbox_feed, &job_tasks);
  std::vector<transport::RouteHandler> routes{
      make_health_route(service.directory(), cluster.get()),
      dashboard::make_page_route(),
      dashboard::make_action_route(authenticator, service, bus_access, pool.first().get_executor()),
      make_metrics_route(
          authenticator,
          MetricsSources{recorded, tool_calls, service, sessions,
                         [&auth_layer] { return auth_layer.login_failures(); },
                         cluster ? std::function<void(metrics::Exposition&)>(
                                       [&cluster = *cluster, &publishes](metrics::Exposition& out) {
                                         write_cluster_metrics(out, cluster, publishes);
                                       })
                                 : nullptr}),
      make_metadata_route(config.http.public_base_url, config.oidc_issuer, auth_layer.cors()),
      [&auth_layer](const auth::HttpRequestView& request, transport::RouteReply reply) {
        return auth_layer.routes().handle(request, std::move(reply));
      },
      [&auth_layer](const auth::HttpRequestView& request, transport::RouteReply reply) {
        return auth_layer.oauth_routes().handle(request, std::move(reply));
      },
  };
  auth_layer.directory().on_change([&service, &memberships, &pool](const auth::UserChange& change) {
    act_on_user_change(change, service, memberships, pool.first().get_executor());
  });
  // A stream opened with a revoked personal access token must not go on
  // receiving: the user's sessions end, and clients holding another valid
  // credential re-initialize and resume with Last-Event-ID.
  auth_layer.personal_token_directory().on_revoked([&service](const std::string& username) {
    const std::size_t ended = service.sessions().end_user(username);
    spdlog::info("user '{}': a personal access token was revoked, {} session(s) ended", username,
                 ended);
  });
  // A revoked OAuth grant (reuse detected, RFC 7009, `oauth revoke`) ends the
  // user's sessions, as a revoked personal access token does.
  auth_layer.revoked_grants().on_revoked([&service](const std::string& username) {
    const std::size_t ended = service.sessions().end_user(username);
    spdlog::info("user '{}': an OAuth grant was revoked, {} session(s) ended", username, ended);
  });
  // `blender-bus user passwd|del|token` (and, in a cluster, other nodes)
  // change users and tokens elsewhere: the server hears of it within a
  // second and acts.
  auth_backend->watch(auth_layer.directory(), auth_layer.personal_token_directory(),
                      auth_layer.revoked_grants());
  http.start(endpoint, std::move(routes),
             {dashboard::make_events_route(authenticator, service, bus_access)});

  asio::steady_timer sweeper(pool.first());
  schedule_idle_sweep(
      sweeper, sessions,
      std::clamp<std::chrono::seconds>(config.sessions.idle_timeout / 2, std::chrono::seconds(1),
                                       std::chrono::seconds(60)));
  asio::steady_timer token_use_flusher(pool.first());
  schedule_token_use_flush(token_use_flusher, auth_layer);
  asio::steady_timer modern_sweeper(pool.first());
  schedule_modern_sweep(modern_sweeper, modern_channels,
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(config.modern_presence_timeout_seconds)));
  asio::steady_timer feed_sweeper(pool.first());
  if (feed_stream_source) schedule_feed_sweep(feed_sweeper, *feed_stream_source);
  asio::signal_set signals(pool.first(), SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", signal);
    http.stop();
    sweeper.cancel();
    token_use_flusher.cancel();
    feed_sweeper.cancel();
    sessions.end_all();  // wakes every stream so it can finish
    asio::co_spawn(pool.first(), close_listens_then_stop(endpoint, pool), asio::detached);
  });

  // The bound address, whatever --public-url says (a test or a supervisor
  // reads the port it got from here).
  std::cout << "blender-bus listening on "
            << base_url(*tls != nullptr, config.http.host, config.http.port) << std::endl;
  spdlog::info("serving MCP at {}/mcp ({} threads, auth {}, {}{})", config.http.public_base_url,
               threads, config.auth_none ? "none (local development)" : "bearer",
               *tls ? "TLS" : "plain HTTP",
               cluster ? ", cluster node '" + config.node_name + "'" : std::string());

  pool.run();
  if (kv_shared_bus_store) kv_shared_bus_store->on_changed({});  // posts no more reloads
  pool.destroy_pending_work();
  // What may still act on users goes before what it acts on.
  auth_backend->stop_watching();
  auth_layer.stop();
  try {
    auth_layer.personal_token_directory().flush_uses();
  } catch (const std::exception& e) {
    spdlog::warn("recording when personal access tokens were used failed: {}", e.what());
  }
  // Shutdown flushes the store: every change made before the signal is kept.
  if (group_commit) group_commit->stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace blender_bus::server
