#include "login_churn.hpp"

#include "cli/auth_client.hpp"
#include "cli/http_connection.hpp"
#include "parallel.hpp"

namespace blender_bus::bench {

namespace asio = boost::asio;

namespace {

constexpr auto kTimeout = std::chrono::seconds(30);

// True when the server refuses `refresh_token` as SPEC says (401).
asio::awaitable<bool> refused(cli::HttpConnection& connection, const std::string& refresh_token) {
  try {
    co_await cli::refresh_tokens(connection, refresh_token);
  } catch (const cli::AuthRefused& e) {
    co_return e.status() == 401;
  }
  co_return false;
}

asio::awaitable<unsigned> bearer_exchange(cli::HttpConnection& connection, std::string method,
                                          std::string path, const std::string& token) {
  cli::HttpRequest request;
  request.method = std::move(method);
  request.target = connection.server().target(path);
  request.headers.set("Authorization", "Bearer " + token);
  auto response = co_await connection.exchange(request, kTimeout);
  co_return response.head.status;
}

}  // namespace

LoginChurn::LoginChurn(SoakState& state, std::string username, std::chrono::milliseconds interval)
    : state_(state), username_(std::move(username)), interval_(interval) {}

asio::awaitable<void> LoginChurn::run() {
  cli::HttpConnection connection(state_.executor, state_.server);
  for (std::uint64_t round = 1; !state_.stopping; ++round) {
    co_await sleep_for(interval_);
    if (state_.stopping) break;
    try {
      if (round % 10 == 0) {
        try {
          co_await cli::login(connection, username_, state_.password + "-wrong");
          state_.errors.add("login churn: a wrong password was accepted");
        } catch (const cli::AuthRefused& e) {
          state_.events.add("login churn: wrong password -> " + std::to_string(e.status()));
        } catch (const cli::HttpError& e) {
          // 429 (throttled) is a fine answer to guessing.
          state_.events.add("login churn: wrong password -> " + std::to_string(e.status()));
          if (e.status() != 429)
            state_.errors.add("login churn: wrong password answered " + std::to_string(e.status()));
        }
        continue;
      }
      const auto grant = co_await cli::login(connection, username_, state_.password);
      state_.events.add("login churn: logins");
      if (co_await bearer_exchange(connection, "GET", "/auth/profile", grant.access_token) != 200) {
        state_.errors.add("login churn: profile refused a fresh token");
      }
      const auto rotated = co_await cli::refresh_tokens(connection, grant.refresh_token);
      state_.events.add("login churn: refreshes");
      if (!co_await refused(connection, grant.refresh_token)) {
        state_.errors.add("login churn: a rotated refresh token was accepted again");
      }
      if (co_await bearer_exchange(connection, "POST", "/auth/logout", rotated.access_token) !=
          200) {
        state_.errors.add("login churn: logout refused");
      }
      state_.events.add("login churn: logouts");
      if (!co_await refused(connection, rotated.refresh_token)) {
        state_.errors.add("login churn: a refresh token survived its logout");
      }
    } catch (const cli::AuthRefused& e) {
      state_.errors.add("login churn: refused, HTTP " + std::to_string(e.status()) + ": " +
                        e.detail());
    } catch (const cli::HttpError& e) {
      state_.errors.add("login churn: HTTP " + std::to_string(e.status()));
    } catch (const cli::NetworkError& e) {
      state_.errors.add(std::string("login churn: network: ") + e.what());
      connection.close();
    }
  }
}

}  // namespace blender_bus::bench
