#include "soak_scenario.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli/auth_client.hpp"
#include "cli/http_connection.hpp"
#include "garbage_client.hpp"
#include "login_churn.hpp"
#include "parallel.hpp"
#include "process_memory.hpp"
#include "slow_reader.hpp"
#include "soak_peer.hpp"
#include "soak_state.hpp"

namespace blender_bus::bench {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kRssEvery = seconds(10);
constexpr std::size_t kSlowReaderUser = 0;
constexpr std::size_t kSmallPad = 64;
constexpr std::size_t kLargePad = 64 * 1024;  // to the slow reader: fills its socket

// Sleeps `duration`, or less once the load phase is over.
asio::awaitable<void> sleep_while_loaded(SoakState& state, Clock::duration duration) {
  const auto until = Clock::now() + duration;
  while (!state.stopping && Clock::now() < until) {
    co_await sleep_for(std::min<Clock::duration>(until - Clock::now(), milliseconds(500)));
  }
}

std::string what_of(const std::exception& e) {
  if (const auto* http = dynamic_cast<const cli::HttpError*>(&e)) {
    return "HTTP " + std::to_string(http->status());
  }
  if (dynamic_cast<const cli::NetworkError*>(&e)) return "network";
  return e.what();
}

// A user's token, refreshed (rotating refresh tokens) when the server says
// it expired; a failed refresh falls back to a fresh login.
asio::awaitable<std::shared_ptr<cli::BearerAuth>> sign_in(SoakState& state,
                                                          const std::string& username) {
  auto connection = std::make_shared<cli::HttpConnection>(state.executor, state.server);
  auto grant = co_await cli::login(*connection, username, state.password);
  auto refresh_token = std::make_shared<std::string>(grant.refresh_token);
  SoakState* shared = &state;
  co_return std::make_shared<cli::BearerAuth>(
      grant.access_token,
      [shared, connection, refresh_token,
       username]() -> asio::awaitable<std::optional<std::string>> {
        try {
          auto renewed = co_await cli::refresh_tokens(*connection, *refresh_token);
          if (!renewed.refresh_token.empty()) *refresh_token = renewed.refresh_token;
          shared->events.add("access tokens refreshed (expired)");
          co_return renewed.access_token;
        } catch (const std::exception& e) {
          shared->errors.add("token refresh: " + what_of(e));
        }
        try {
          auto again = co_await cli::login(*connection, username, shared->password);
          *refresh_token = again.refresh_token;
          co_return again.access_token;
        } catch (const std::exception& e) {
          shared->errors.add("login after a failed refresh: " + what_of(e));
        }
        co_return std::nullopt;
      });
}

// Someone on `user`'s bus to send to directly: a persistent worker (online
// or not: its records wait) or an ephemeral client that is online and not
// leaving.
std::shared_ptr<SoakPeer> pick_target(SoakState& state, std::size_t user) {
  auto& peers = state.users[user].peers;
  for (int attempt = 0; attempt < 8 && !peers.empty(); ++attempt) {
    auto& peer = peers[static_cast<std::size_t>(
        state.uniform(0, static_cast<std::int64_t>(peers.size()) - 1))];
    if (peer->identity().persistent || (peer->online() && !peer->leaving)) return peer;
  }
  return nullptr;
}

json::object payload(SoakState& state, std::size_t pad) {
  return {{"soak", state.next_number()}, {"pad", std::string(pad, 'p')}};
}

json::object job_dispatch(const std::string& job_id) {
  return {{"message_type", "job_dispatch"},
          {"job_id", job_id},
          {"script", "import bpy\nprint(len(bpy.data.objects))"}};
}

// One send from `sender`: mostly direct (to a worker, often a job that it
// answers, or to another assistant), some to the workers' group or to every
// Blender, and from user 0 now and then a large one to the slow reader.
// Only a job carries from_uuid: it opens a job, which the answer ends.
asio::awaitable<void> send_one(SoakState& state, SoakPeer& sender, const std::string& slow_reader) {
  static const std::array<std::string_view, 5> kPriorities = {"info", "warning", "NOTICE", "3",
                                                              "debug"};
  const std::size_t user = sender.identity().user;
  json::object arguments;
  std::shared_ptr<SoakPeer> target;
  const auto roll = state.uniform(0, 99);
  if (roll < 15 && user == kSlowReaderUser && !slow_reader.empty()) {
    arguments["target_uuid"] = slow_reader;
    arguments["payload"] = payload(state, kLargePad);
  } else if (roll < 20) {
    arguments["group_id"] = "workers";
    arguments["payload"] = payload(state, kSmallPad);
  } else if (roll < 25) {
    arguments["client_type"] = "blender";
    arguments["payload"] = payload(state, kSmallPad);
  } else {
    target = pick_target(state, user);
    if (!target) co_return;
    arguments["target_uuid"] = target->uuid();
    if (target->identity().persistent && state.chance(0.5)) {
      arguments["payload"] = job_dispatch("job-" + std::to_string(state.next_number()));
      arguments["from_uuid"] = sender.uuid();
    } else {
      arguments["payload"] = payload(state, static_cast<std::size_t>(state.uniform(16, 512)));
    }
  }
  arguments["priority"] = kPriorities[static_cast<std::size_t>(state.uniform(0, 4))];
  if (target) ++target->outstanding;
  try {
    const auto result = co_await sender.call("blender_send_message", std::move(arguments));
    // content[0].text is the answer whichever way structuredContent is shaped.
    boost::system::error_code ec;
    const json::value answer = json::parse(result.text, ec);
    const json::object* object = ec ? nullptr : answer.if_object();
    if (!object || !object->contains("status")) {
      state.errors.add("send: an answer that is not a JSON object with a status");
    } else if (object->at("status") != "ok") {
      const auto* error = object->if_contains("error");
      state.errors.add("send refused: " +
                       (error && error->is_string() ? std::string(error->get_string()) : "?"));
    } else {
      std::vector<std::string> targets;
      for (const auto& t : object->at("targets").as_array()) targets.emplace_back(t.as_string());
      state.ledger.expect(std::string(object->at("message_id").as_string()), targets);
      state.events.add("sends answered");
    }
  } catch (const std::exception& e) {
    state.errors.add("send failed: " + what_of(e));
  }
  if (target) --target->outstanding;
}

void forget(SoakUser& user, const std::shared_ptr<SoakPeer>& peer) {
  std::erase(user.peers, peer);
}

// One of the "200 sessions coming and going": an ephemeral assistant that
// opens a session, sends for 10-40 s, waits until what was sent to it has
// arrived, and leaves (mostly ending its session, sometimes abandoning it).
asio::awaitable<void> ephemeral_slot(SoakState& state, std::size_t slot, const SoakOptions& options,
                                     const std::string& slow_reader) {
  const std::size_t user = slot % state.users.size();
  for (std::uint64_t generation = 1; !state.stopping; ++generation) {
    auto peer = std::make_shared<SoakPeer>(
        state,
        SoakPeer::Identity{
            user, state.run_id + "-e" + std::to_string(slot) + "-" + std::to_string(generation),
            "llm", false, ""});
    state.users[user].peers.push_back(peer);
    bool started = false;
    try {
      co_await peer->come_online();
      started = true;
    } catch (const std::exception& e) {
      state.errors.add("ephemeral session: could not start: " + what_of(e));
    }
    if (!started) {
      forget(state.users[user], peer);
      co_await peer->go_offline(false);
      co_await sleep_while_loaded(state, seconds(1));
      continue;
    }
    const auto until = Clock::now() + state.between(seconds(10), seconds(40));
    while (!state.stopping && Clock::now() < until) {
      co_await sleep_for(state.between(options.send_interval / 2, options.send_interval * 3 / 2));
      if (state.stopping || !peer->online()) break;
      co_await send_one(state, *peer, slow_reader);
    }
    peer->leaving = true;
    const bool settled = co_await wait_until(
        [&] { return peer->outstanding == 0 && state.ledger.missing(peer->uuid()) == 0; },
        options.drain_timeout);
    if (!settled) state.errors.add("ephemeral session: records still missing when it left");
    co_await peer->go_offline(!state.chance(0.1));
    state.ledger.depart(peer->uuid());
    forget(state.users[user], peer);
    co_await sleep_while_loaded(state, state.between(milliseconds(0), milliseconds(2000)));
  }
}

// A Blender worker: online 20-60 s, then offline 5-30 s (its session ended
// or abandoned) while records for it wait, then back on a new session,
// resuming after the last event id it read. At the end it comes back and
// stays until everything has arrived.
asio::awaitable<void> persistent_worker(SoakState& state, std::size_t index) {
  const std::size_t user = index % state.users.size();
  auto peer = std::make_shared<SoakPeer>(
      state, SoakPeer::Identity{user, state.run_id + "-w" + std::to_string(index), "blender", true,
                                "workers"});
  state.users[user].peers.push_back(peer);
  auto come_online = [&]() -> asio::awaitable<bool> {
    try {
      co_await peer->come_online();
      co_return true;
    } catch (const std::exception& e) {
      state.errors.add("persistent worker: could not come back: " + what_of(e));
    }
    co_await peer->go_offline(false);
    co_await sleep_for(seconds(1));
    co_return false;
  };
  while (!state.stopping) {
    if (!co_await come_online()) continue;
    co_await sleep_while_loaded(state, state.between(seconds(20), seconds(60)));
    if (state.stopping) break;
    co_await peer->go_offline(state.chance(0.5));
    state.events.add("persistent workers offline, then back");
    co_await sleep_while_loaded(state, state.between(seconds(5), seconds(30)));
  }
  for (int attempt = 0; !peer->online() && attempt < 5; ++attempt) co_await come_online();
  co_await wait_until([&] { return !state.draining; }, seconds(3600), milliseconds(100));
  co_await peer->go_offline(true);
}

asio::awaitable<void> stream_cutter(SoakState& state, milliseconds interval) {
  while (!state.stopping) {
    co_await sleep_for(interval);
    auto& user = state.users[static_cast<std::size_t>(
        state.uniform(0, static_cast<std::int64_t>(state.users.size()) - 1))];
    if (user.peers.empty()) continue;
    auto& peer = user.peers[static_cast<std::size_t>(
        state.uniform(0, static_cast<std::int64_t>(user.peers.size()) - 1))];
    if (peer->online() && !peer->leaving) peer->cut_stream();
  }
}

std::string mib(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

struct RssSample {
  double minute = 0;
  std::uint64_t bytes = 0;  // the least of a few reads 100 ms apart
  std::uint64_t peak = 0;   // the most of them
};

// Every 10 s, the server's RSS. Each login hashes with argon2id in 64 MiB of
// its own, freed when the hash is done; the churn logs in every 2 s, so a
// single read lands inside a hash now and then. The least of five reads over
// half a second is what the server holds; the most is kept as the peak.
asio::awaitable<void> rss_sampler(SoakState& state, const std::vector<int>& pids,
                                  std::vector<RssSample>& samples, const bool& finished) {
  if (pids.empty()) co_return;
  const auto start = Clock::now();
  for (;;) {
    RssSample sample{std::chrono::duration<double>(Clock::now() - start).count() / 60, UINT64_MAX,
                     0};
    try {
      for (int read = 0; read < 5 && !finished; ++read) {
        if (read > 0) co_await sleep_for(milliseconds(100));
        const auto bytes = resident_bytes(pids);
        sample.bytes = std::min(sample.bytes, bytes);
        sample.peak = std::max(sample.peak, bytes);
      }
    } catch (const std::exception& e) {
      state.errors.add(std::string("server process: ") + e.what());
      co_return;
    }
    if (sample.peak == 0) co_return;  // finished before a read
    samples.push_back(sample);
    std::cerr << "soak: server RSS " << mib(sample.bytes) << " MiB (peak " << mib(sample.peak)
              << ") at minute " << static_cast<int>(sample.minute * 10) / 10.0 << "\n";
    const auto next = start + kRssEvery * samples.size();
    co_await wait_until([&] { return finished || Clock::now() >= next; }, kRssEvery * 2,
                        milliseconds(100));
    if (finished) co_return;
  }
}

std::string count(const EventCounts& counts, const std::string& kind) {
  const auto it = counts.by_kind().find(kind);
  return std::to_string(it == counts.by_kind().end() ? 0 : it->second);
}

std::string report(const SoakState& state, const SoakOptions& options,
                   const std::vector<RssSample>& rss, double load_minutes, double drain_seconds,
                   const SlowReader& slow, const GarbageClient& garbage) {
  const auto f = state.ledger.figures();
  std::ostringstream out;
  out << "### " << options.title << "\n\n";
  out << "Load for " << load_minutes << " min, then " << static_cast<int>(drain_seconds)
      << " s to drain: " << state.users.size() << " traffic users, " << options.ephemeral
      << " ephemeral session slots coming and going, " << options.persistent
      << " persistent workers going offline and back, 1 slow reader, 1 garbage client (one "
         "request every "
      << options.garbage_interval.count() << " ms), login churn (every "
      << options.login_interval.count() << " ms), one stream cut every "
      << options.cut_interval.count() << " ms; each ephemeral session sends every ~"
      << options.send_interval.count() << " ms.\n\n";
  out << "| figure | value |\n|---|---|\n";
  out << "| sends answered | " << count(state.events, "sends answered") << " |\n";
  out << "| records expected (answered sends x their targets) | " << f.expected << " |\n";
  out << "| records delivered | " << f.delivered << " |\n";
  out << "| **lost** | **" << f.lost << "** |\n";
  out << "| **duplicated** (a record read twice by its target) | **" << f.duplicated << "** |\n";
  out << "| event ids read twice by one client | " << f.duplicate_event_ids << " |\n";
  out << "| misrouted (target_uuid not the reader) | " << f.misrouted << " |\n";
  out << "| read without an answered send | " << f.unanswered << " |\n";
  out << "| job updates answered (each a record back to its originator) | "
      << count(state.events, "job updates answered") << " |\n";
  out << "| withdrawn (a job update racing its originator's departure) / to departed "
         "clients | "
      << f.withdrawn << " / " << f.to_departed << " |\n";
  out << "| sessions opened / ended / abandoned | " << count(state.events, "sessions opened")
      << " / " << count(state.events, "sessions ended (DELETE)") << " / "
      << count(state.events, "sessions abandoned (left to idle expiry)") << " |\n";
  out << "| streams cut and resumed with Last-Event-ID | "
      << count(state.events, "streams cut (resumed with Last-Event-ID)") << " |\n";
  out << "| streams resumed on a new session | "
      << count(state.events, "streams resumed on a new session") << " |\n";
  out << "| slow reader: cut off by the server / MiB read | " << slow.cut_off() << " / "
      << mib(slow.bytes_read()) << " |\n";
  out << "| logins / refreshes / logouts (churn user) | "
      << count(state.events, "login churn: logins") << " / "
      << count(state.events, "login churn: refreshes") << " / "
      << count(state.events, "login churn: logouts") << " |\n";
  out << "| garbage requests | " << garbage.requests() << " |\n";
  if (!rss.empty()) {
    std::uint64_t low = rss.front().bytes, high = rss.front().bytes, peak = 0;
    for (const auto& s : rss) {
      low = std::min(low, s.bytes);
      high = std::max(high, s.bytes);
      peak = std::max(peak, s.peak);
    }
    out << "| server RSS start -> end (min-max), MiB | " << mib(rss.front().bytes) << " -> "
        << mib(rss.back().bytes) << " (" << mib(low) << "-" << mib(high) << ") |\n";
    out << "| server RSS peak, MiB (with a login's 64 MiB argon2id hash) | " << mib(peak) << " |\n";
    out << "\nServer RSS (MiB, the least of 5 reads over 0.5 s), one sample a minute: ";
    double next_minute = 0;
    std::string sep;
    for (const auto& s : rss) {
      if (s.minute + 1e-9 < next_minute) continue;
      out << sep << mib(s.bytes);
      sep = ", ";
      next_minute += 1;
    }
    out << "\n";
  }
  out << "\nErrors by kind:";
  if (state.errors.by_kind().empty()) out << " none.";
  out << "\n";
  for (const auto& [kind, n] : state.errors.by_kind()) out << "- " << kind << ": " << n << "\n";
  out << "\nEvents by kind:\n";
  for (const auto& [kind, n] : state.events.by_kind()) out << "- " << kind << ": " << n << "\n";
  return out.str();
}

}  // namespace

asio::awaitable<SoakOutcome> run_soak(asio::any_io_executor executor, cli::ServerUrl server,
                                      SoakOptions options) {
  SoakState state;
  state.executor = executor;
  state.server = std::move(server);
  state.run_id = "soak";
  state.password = options.password;
  for (const auto& name : options.users) {
    // (Not inside the braces: GCC 12 miscompiles a co_await in an initializer list.)
    auto auth = co_await sign_in(state, name);
    state.users.push_back(SoakUser{name, std::move(auth), {}});
  }
  if (state.users.empty()) throw std::invalid_argument("the soak needs at least one user");

  SlowReader slow(state, kSlowReaderUser, state.run_id + "-slow");
  GarbageClient garbage(state, 0, options.garbage_interval);
  LoginChurn churn(state, options.churn_user, options.login_interval);
  std::vector<RssSample> rss;
  bool finished = false;
  double drain_seconds = 0;

  std::vector<std::function<asio::awaitable<void>()>> actors;
  actors.push_back([&]() -> asio::awaitable<void> {
    co_await sleep_for(milliseconds(static_cast<std::int64_t>(options.minutes * 60'000)));
    std::cerr << "soak: load phase over; draining\n";
    state.stopping = true;
    state.draining = true;
    const auto start = Clock::now();
    const bool drained = co_await wait_until([&] { return state.ledger.missing() == 0; },
                                             options.drain_timeout, milliseconds(100));
    drain_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (!drained) std::cerr << "soak: " << state.ledger.missing() << " record(s) never arrived\n";
    state.draining = false;
  });
  actors.push_back([&]() -> asio::awaitable<void> { co_await slow.run(); });
  actors.push_back([&]() -> asio::awaitable<void> { co_await garbage.run(); });
  actors.push_back([&]() -> asio::awaitable<void> { co_await churn.run(); });
  actors.push_back(
      [&]() -> asio::awaitable<void> { co_await stream_cutter(state, options.cut_interval); });
  for (std::size_t i = 0; i < options.persistent; ++i) {
    actors.push_back([&, i]() -> asio::awaitable<void> { co_await persistent_worker(state, i); });
  }
  for (std::size_t i = 0; i < options.ephemeral; ++i) {
    actors.push_back([&, i]() -> asio::awaitable<void> {
      co_await ephemeral_slot(state, i, options, slow.uuid());
    });
  }
  // Progress, once a minute, on stderr.
  actors.push_back([&]() -> asio::awaitable<void> {
    while (!state.stopping) {
      co_await sleep_while_loaded(state, seconds(60));
      const auto f = state.ledger.figures();
      std::cerr << "soak: " << f.expected << " expected, " << f.delivered << " delivered, "
                << state.errors.total() << " error(s)\n";
    }
  });
  std::size_t running = actors.size();
  asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
  const auto load_start = Clock::now();
  for (auto& actor : actors) {
    asio::co_spawn(executor, actor(), [&](std::exception_ptr error) {
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          state.errors.add("an actor stopped: " + what_of(e));
        }
      }
      if (--running == 0) all_done.cancel();
    });
  }
  bool sampled = false;
  asio::co_spawn(executor, rss_sampler(state, options.server_pids, rss, finished),
                 [&](std::exception_ptr) { sampled = true; });
  boost::system::error_code ignored;
  co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  finished = true;
  co_await wait_until([&] { return sampled; }, seconds(5), milliseconds(20));

  const double load_minutes =
      std::chrono::duration<double>(Clock::now() - load_start).count() / 60 - drain_seconds / 60;
  const auto figures = state.ledger.figures();
  SoakOutcome outcome;
  outcome.report =
      report(state, options, rss, std::round(load_minutes * 10) / 10, drain_seconds, slow, garbage);
  outcome.clean = figures.lost == 0 && figures.duplicated == 0 && figures.misrouted == 0 &&
                  figures.duplicate_event_ids == 0 && state.errors.total() == 0;
  co_return outcome;
}

}  // namespace blender_bus::bench
