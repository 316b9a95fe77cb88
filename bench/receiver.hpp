#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/event_stream.hpp"
#include "cli/mcp_client.hpp"
#include "tally.hpp"

namespace blender_bus::bench {

// One registered bus client with its stream open: the far end of a send.
// Its POSTs go over a connection lent for the call, so that 10,000 receivers
// hold 10,000 stream sockets and not 20,000. Call leave() before destroying a
// joined receiver: its stream reader refers to it.
class Receiver {
 public:
  Receiver(std::shared_ptr<cli::BearerAuth> auth, std::string uuid, Tally& tally);

  // initialize, open the stream, register as a "blender" client, then read
  // the stream in the background. Records for a persistent client go
  // through its inbox, which the server keeps durable (SPEC §9); an
  // ephemeral one's are delivered from memory.
  // A non-empty `bus_id` registers on that shared bus instead of the
  // user's personal one.
  boost::asio::awaitable<void> join(std::shared_ptr<cli::HttpConnection> connection,
                                    const std::string& group, bool persistent = false,
                                    const std::string& bus_id = {});
  // Stop reading and end the session. A persistent client is unregistered
  // first, so that later scenarios do not queue records for it.
  boost::asio::awaitable<void> leave(std::shared_ptr<cli::HttpConnection> connection);

  const std::string& uuid() const { return uuid_; }
  bool streaming() const { return streaming_; }
  std::uint64_t reconnects() const { return stream_ ? stream_->reconnects() : 0; }

 private:
  void on_record(boost::json::object& params);

  std::shared_ptr<cli::BearerAuth> auth_;
  std::string uuid_;
  Tally& tally_;
  std::optional<cli::McpClient> client_;
  std::unique_ptr<cli::EventStream> stream_;
  std::unique_ptr<boost::asio::steady_timer> reader_finished_;
  bool streaming_ = false;
  bool persistent_ = false;
  std::string bus_id_;
};

}  // namespace blender_bus::bench
