#include "dashboard/dashboard_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include "auth/access_policy.hpp"
#include "auth/route_authorization.hpp"
#include "dashboard/dashboard_feed.hpp"
#include "dashboard/ui_assets.hpp"

namespace blender_bus::dashboard {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

constexpr std::string_view kNoBusScope = "This token's scopes include neither read nor write";

// Only the page's own files run or style it: no inline script or style, no
// other origin, no framing.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

auth::HttpReply detail(unsigned status, std::string_view text) {
  return auth::HttpReply{status, json::serialize(json::object{{"detail", text}}), {}};
}

auth::HttpReply redirect(std::string_view to) {
  return auth::HttpReply{302, "", {{"Location", std::string(to)}}};
}

const UiAsset* find_asset(std::string_view name) {
  for (const auto& asset : ui_assets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

struct Action {
  std::string user_id;
  std::string key;  // the client uuid or the job id
};

// The action's body, when it names a bus the principal may act on.
std::variant<Action, auth::HttpReply> parse_action(const auth::HttpRequestView& request,
                                                   const auth::Principal& principal,
                                                   std::string_view key_field) {
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  const json::object* object = ec ? nullptr : body.if_object();
  const json::value* user = object ? object->if_contains("user_id") : nullptr;
  const json::value* key = object ? object->if_contains(key_field) : nullptr;
  if (!user || !user->is_string() || !key || !key->is_string()) {
    return detail(400, "body must be {\"user_id\":\"…\",\"" + std::string(key_field) + "\":\"…\"}");
  }
  Action action{std::string(user->get_string()), std::string(key->get_string())};
  if (action.user_id != principal.user_id && !auth::may_see_every_bus(principal)) {
    return detail(403, "Only an admin acts on another user's bus");
  }
  return action;
}

// Runs a bus change through the service on `executor` (settled: stored, or
// withdrawn when the store failed) and answers once it is.
void settle_then_reply(const asio::any_io_executor& executor,
                       std::function<asio::awaitable<delivery::Settled>()> change,
                       transport::RouteReply reply) {
  asio::co_spawn(
      executor,
      [change = std::move(change), reply = std::move(reply)]() -> asio::awaitable<void> {
        const delivery::Settled settled = co_await change();
        reply(settled.stored
                  ? auth::HttpReply{200, R"({"status":"ok"})", {}}
                  : detail(503, "The store could not keep the change; nothing was done"));
      },
      asio::detached);
}

bool remove_client(delivery::BusService& service, const asio::any_io_executor& executor,
                   const Action& action, const auth::Principal& principal,
                   transport::RouteReply reply) {
  // The snapshot, for the client's liveness.
  std::optional<bus::ClientInfo> client;
  const bus::ClientSnapshot snapshot = service.directory().snapshot(action.user_id);
  for (const auto* bucket : {&snapshot.persistent, &snapshot.ephemeral}) {
    for (const auto& c : *bucket) {
      if (c.uuid == action.key) client = c;
    }
  }
  if (!client) {
    reply(detail(404, "No such client"));
    return true;
  }
  if (client->online) {
    reply(detail(409, "The client is online; only an offline client can be removed"));
    return true;
  }
  spdlog::info("dashboard: '{}' removed client {} of '{}'", principal.username, client->uuid,
               action.user_id);
  settle_then_reply(
      executor,
      [&service, action] { return service.unregister_client(action.user_id, action.key); },
      std::move(reply));
  return true;
}

bool cancel_job(delivery::BusService& service, const asio::any_io_executor& executor,
                const Action& action, const auth::Principal& principal,
                transport::RouteReply reply) {
  const auto state = service.directory().job_state(action.user_id, action.key);
  if (!state) {
    reply(detail(404, "No such job"));
    return true;
  }
  if (bus::JobTracker::is_terminal(state->status)) {
    reply(detail(409, "The job has already ended (" + state->status + ")"));
    return true;
  }
  spdlog::info("dashboard: '{}' cancelled job {} of '{}'", principal.username, action.key,
               action.user_id);
  bus::JobUpdate update{action.key, "cancelled", "",
                        "cancelled from the dashboard by " + principal.username};
  // The service also wakes the job's blender_job_status waiters.
  settle_then_reply(
      executor,
      [&service, user_id = action.user_id, update] { return service.job_update(user_id, update); },
      std::move(reply));
  return true;
}

}  // namespace

transport::RouteHandler make_page_route() {
  return [](const auth::HttpRequestView& request, const transport::RouteReply& reply) {
    const std::string_view path = request.path;
    if (path == "/" || path == "/ui") {
      reply(redirect("/ui/"));
      return true;
    }
    if (!path.starts_with("/ui/") || path.starts_with("/ui/api/") || path == "/ui/events") {
      return false;
    }
    const std::string_view name = path == "/ui/" ? "index.html" : path.substr(4);
    const UiAsset* asset = find_asset(name);
    if (!asset) return false;
    if (request.method != "GET" && request.method != "HEAD") {
      reply(auth::HttpReply{405, R"({"detail":"Method Not Allowed"})", {{"Allow", "GET"}}});
      return true;
    }
    reply(auth::HttpReply{200,
                          std::string(asset->body),
                          {{"Content-Type", std::string(asset->content_type)},
                           {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
                           {"X-Content-Type-Options", "nosniff"},
                           {"X-Frame-Options", "DENY"},
                           {"Referrer-Policy", "no-referrer"},
                           {"Cache-Control", "no-cache"}}});
    return true;
  };
}

transport::EventRoute make_events_route(const auth::RequestAuthenticator& authenticator,
                                        delivery::BusService& service) {
  return transport::EventRoute{
      "/ui/events", kFeedInterval,
      [&authenticator, &service](const auth::HttpRequestView& request)
          -> std::variant<auth::HttpReply, std::unique_ptr<transport::EventFeed>> {
        auto who =
            auth::authorize(authenticator, request.authorization, auth::may_use_bus, kNoBusScope);
        if (auto* refusal = std::get_if<auth::HttpReply>(&who)) return std::move(*refusal);
        return std::make_unique<DashboardFeed>(authenticator, request.authorization, service);
      }};
}

transport::RouteHandler make_action_route(const auth::RequestAuthenticator& authenticator,
                                          delivery::BusService& service,
                                          asio::any_io_executor executor) {
  return [&authenticator, &service, executor = std::move(executor)](
             const auth::HttpRequestView& request, transport::RouteReply reply) {
    const bool remove = request.path == "/ui/api/remove-client";
    if (!remove && request.path != "/ui/api/cancel-job") return false;
    if (request.method != "POST") {
      reply(auth::HttpReply{405, R"({"detail":"Method Not Allowed"})", {{"Allow", "POST"}}});
      return true;
    }
    auto who =
        auth::authorize(authenticator, request.authorization, auth::may_use_bus, kNoBusScope);
    if (auto* refusal = std::get_if<auth::HttpReply>(&who)) {
      reply(std::move(*refusal));
      return true;
    }
    const auto& principal = std::get<auth::Principal>(who);
    auto action = parse_action(request, principal, remove ? "client_uuid" : "job_id");
    if (auto* refusal = std::get_if<auth::HttpReply>(&action)) {
      reply(std::move(*refusal));
      return true;
    }
    const auto& parsed = std::get<Action>(action);
    return remove ? remove_client(service, executor, parsed, principal, std::move(reply))
                  : cancel_job(service, executor, parsed, principal, std::move(reply));
  };
}

}  // namespace blender_bus::dashboard
