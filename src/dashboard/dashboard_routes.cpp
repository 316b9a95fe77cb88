#include "dashboard/dashboard_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include "auth/access_policy.hpp"
#include "auth/route_authorization.hpp"
#include "bus/shared_bus_id.hpp"
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

// A refusal of the one check as an HTTP answer.
auth::HttpReply refused(const tools::BusRefusal& refusal) {
  const auto& error = refusal.at("error").as_string();
  return detail(error == "bus not found" ? 404 : 403, error);
}

// The action's body, when it names a bus the principal may act on.
std::variant<Action, auth::HttpReply> parse_action(const auth::HttpRequestView& request,
                                                   const auth::Principal& principal,
                                                   const tools::BusAccess& access, bool remove) {
  const std::string_view key_field = remove ? "client_uuid" : "job_id";
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  const json::object* object = ec ? nullptr : body.if_object();
  const json::value* user = object ? object->if_contains("user_id") : nullptr;
  const json::value* key = object ? object->if_contains(key_field) : nullptr;
  if (!user || !user->is_string() || !key || !key->is_string()) {
    return detail(400, "body must be {\"user_id\":\"…\",\"" + std::string(key_field) + "\":\"…\"}");
  }
  Action action{std::string(user->get_string()), std::string(key->get_string())};
  if (action.user_id == principal.user_id || auth::may_see_every_bus(principal)) return action;
  if (!bus::is_shared_bus(action.user_id)) {
    return detail(403, "Only an admin acts on another user's bus");
  }
  // A member acts on a shared bus as the tools let them: removing a client
  // is unregistering it (one's own only), cancelling is a job update.
  auto checked =
      access.check(principal.user_id, std::string(bus::wire_bus_id(action.user_id)),
                   remove ? sharing::BusAction::unregister_client : sharing::BusAction::job_update);
  if (const auto* refusal = std::get_if<tools::BusRefusal>(&checked)) return refused(*refusal);
  if (remove) {
    const auto& grant = std::get<tools::BusGrant>(checked);
    if (auto refusal = access.check_client(grant, principal.user_id, action.key)) {
      return refused(*refusal);
    }
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

bool remove_client(delivery::BusService& service, const tools::BusAccess& access,
                   const asio::any_io_executor& executor, const Action& action,
                   const auth::Principal& principal, transport::RouteReply reply) {
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
  // On a shared bus the uuid is free for any member once it is off the bus.
  settle_then_reply(
      executor,
      [&service, &access, action]() -> asio::awaitable<delivery::Settled> {
        // Named, not copied inside the co_await (GCC 12, PR 100611).
        std::string bus = action.user_id;
        std::string uuid = action.key;
        delivery::Settled done =
            co_await service.unregister_client(std::move(bus), std::move(uuid));
        if (done.stored && bus::is_shared_bus(action.user_id) && access.memberships()) {
          access.memberships()->release_client(bus::wire_bus_id(action.user_id), action.key);
        }
        co_return done;
      },
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
                                        delivery::BusService& service,
                                        const tools::BusAccess& access) {
  return transport::EventRoute{
      "/ui/events", kFeedInterval,
      [&authenticator, &service, &access](const auth::HttpRequestView& request)
          -> std::variant<auth::HttpReply, std::unique_ptr<transport::EventFeed>> {
        auto who =
            auth::authorize(authenticator, request.authorization, auth::may_use_bus, kNoBusScope);
        if (auto* refusal = std::get_if<auth::HttpReply>(&who)) return std::move(*refusal);
        return std::make_unique<DashboardFeed>(authenticator, request.authorization, service,
                                               access);
      }};
}

transport::RouteHandler make_action_route(const auth::RequestAuthenticator& authenticator,
                                          delivery::BusService& service,
                                          const tools::BusAccess& access,
                                          asio::any_io_executor executor) {
  return [&authenticator, &service, &access, executor = std::move(executor)](
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
    auto action = parse_action(request, principal, access, remove);
    if (auto* refusal = std::get_if<auth::HttpReply>(&action)) {
      reply(std::move(*refusal));
      return true;
    }
    const auto& parsed = std::get<Action>(action);
    return remove ? remove_client(service, access, executor, parsed, principal, std::move(reply))
                  : cancel_job(service, executor, parsed, principal, std::move(reply));
  };
}

}  // namespace blender_bus::dashboard
