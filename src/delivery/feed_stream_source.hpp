#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "delivery/bus_service.hpp"
#include "mcp/stream_source.hpp"

namespace blender_bus::delivery {

// A session's stream over the ports alone (SPEC §9), so it works over any
// engine: one Feed per client bound to the session (Directory::clients_of),
// merged by seq, which is the SSE event id. The session's stream holds each
// of those clients (Directory::hold) while it pulls: in a cluster that is
// what makes them online on every node.
//
// A Last-Event-ID is the session's position across its clients: it
// acknowledges what it covers for the clients bound now, and clients bound
// later (a client that moved here from another node registers again after
// its stream opened) start after it too.
//
// The session's clients on shared buses (BusService::shared_buses_of) have
// feeds too, merged in the same way, as BusStreamSource does: their records
// go out with event id 0 (no SSE id), since a Last-Event-ID names the
// personal bus's position; they are delivered by cursor, their progress keys
// are `<bus>\n<uuid>`.
//
// A client taken over by another session (SPEC §4), on this node or
// another, is closed here and the session is sent a `client_displaced`
// record (as the embedded engine sends it; no SSE id): at once when the
// takeover is on this node (BusService wakes the stream), else within a
// sweep (about 2 s). A session whose stream was closed then hears nothing.
//
// Costs: a feed per bound client while the session's stream is open (over
// JetStream one core subscription each); a pull merges k feeds (k = the
// session's clients, small). Sessions whose stream closed give their feeds
// and holds back at the next sweep(). Thread-safe.
class FeedStreamSource final : public mcp::StreamSource {
 public:
  // Registers for the end of sessions (their feeds and holds go).
  explicit FeedStreamSource(BusService& service);
  ~FeedStreamSource() override;

  std::optional<ResumeError> resume(const mcp::Session& session,
                                    std::uint64_t last_event_id) override;
  mcp::StreamBatch next(const mcp::Session& session, std::size_t limit) override;
  void delivered(const mcp::Session& session, const mcp::StreamBatch& batch) override;

  // Closes the feeds and releases the holds of sessions with no stream open
  // (a stream that opens again gets them back at its first pull). Returns
  // how many sessions it closed.
  std::size_t sweep();

 private:
  class SessionWake;
  struct ClientFeed {
    BusId bus;  // the session's personal bus or one of its shared buses
    std::string uuid;
    std::unique_ptr<Feed> feed;
    std::deque<LoggedRecord> pending;  // read from the feed, not yet handed out
  };
  struct SessionFeeds;

  std::shared_ptr<SessionFeeds> state_of(const mcp::Session& session, bool create);
  // The client is bound to another holder now (a takeover, SPEC §4).
  bool taken_over(const SessionFeeds& state, const ClientFeed& client) const;
  // Queues the session's client_displaced record (bus::displaced_notice).
  void notice_displaced(SessionFeeds& state, const ClientFeed& client);
  // Opens feeds for clients bound since, closes those of clients gone.
  void sync_locked(SessionFeeds& state);
  void close_locked(SessionFeeds& state);
  void ended(const mcp::Session& session);

  BusService& service_;
  std::mutex mutex_;  // guards sessions_ (each state has its own lock)
  std::unordered_map<std::string, std::shared_ptr<SessionFeeds>> sessions_;
};

}  // namespace blender_bus::delivery
