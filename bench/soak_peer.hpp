#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "cli/event_stream.hpp"
#include "cli/mcp_client.hpp"
#include "soak_state.hpp"

namespace blender_bus::bench {

// One bus client of the soak: an MCP session, a registration and the
// session's stream, whose records go to the ledger. It can go offline (its
// session ended, or abandoned as a crashed client would leave it) and come
// back on a new session, resuming after the last event id it read; its
// stream can be cut, and it then resumes with Last-Event-ID. A persistent
// peer is a Blender worker: it answers each job_dispatch it reads with
// blender_job_update "completed", whose record goes back to the job's
// originator and is checked like any other.
class SoakPeer : public std::enable_shared_from_this<SoakPeer> {
 public:
  struct Identity {
    std::size_t user = 0;
    std::string uuid;
    std::string client_type;  // "llm" (ephemeral) or "blender" (persistent)
    bool persistent = false;
    std::string group;  // "" for none
  };

  SoakPeer(SoakState& state, Identity identity);

  // A new session: initialize, register, open the stream (after the last id
  // read on an earlier session), then read it in the background. Throws
  // what the client library throws; the caller counts it.
  boost::asio::awaitable<void> come_online();
  // Stops reading. `end_session`: DELETE it; otherwise it is left for the
  // server's idle expiry, as a client that crashed would leave it.
  boost::asio::awaitable<void> go_offline(bool end_session);
  // Closes the stream's connection; it reopens with Last-Event-ID.
  void cut_stream();

  // A tool call on this peer's session (which must be online).
  boost::asio::awaitable<cli::ToolCallResult> call(std::string_view tool,
                                                   boost::json::object arguments);

  const Identity& identity() const { return identity_; }
  const std::string& uuid() const { return identity_.uuid; }
  bool online() const { return online_; }
  bool streaming() const { return streaming_; }
  // Leaving: no new sends are aimed at it.
  bool leaving = false;
  // Sends aimed at it and not answered yet.
  std::uint64_t outstanding = 0;

 private:
  // Answers the jobs read so far, one call at a time, while online.
  void answer_jobs();
  boost::asio::awaitable<void> answer_loop();

  SoakState& state_;
  Identity identity_;
  std::optional<cli::McpClient> client_;
  std::unique_ptr<cli::EventStream> stream_;
  std::unique_ptr<boost::asio::steady_timer> reader_finished_;
  std::string last_event_id_;  // read on earlier sessions
  bool online_ = false;
  bool streaming_ = false;
  std::deque<std::string> jobs_to_answer_;  // job ids, oldest first
  bool answering_ = false;
};

}  // namespace blender_bus::bench
