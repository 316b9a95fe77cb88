#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "delivery/bus_service.hpp"
#include "delivery/embedded/presence.hpp"
#include "mcp/resource_feed.hpp"

namespace blender_bus::delivery {

// The delivery channels of MCP 2026-07-28 clients, which have no session: a
// subscriptions/listen on blender://bus/inbox/<uuid> or a streaming
// blender_receive_messages, on a personal or a shared bus (who may open
// which is decided above, by tools/bus_access). A client registered by a
// modern request is bound to binding_id() instead of a session id; it is
// online while one of its channels is open, and an ephemeral one leaves the
// bus once it has had none open for the presence timeout (sweep()).
// Thread-safe.
class ModernChannels {
 public:
  static constexpr std::string_view kInboxPrefix = "blender://bus/inbox/";

  explicit ModernChannels(BusService& service);

  // What a modern registration binds the client to: no session id has this
  // form (those are 32 hex digits), so presence and takeover tell them apart.
  static std::string binding_id(std::string_view bus, std::string_view client_uuid);

  // A modern request registered (or re-registered) the client: it counts as
  // active now.
  void bound(std::string_view bus, std::string_view client_uuid);

  // One open channel of a client, counted while it lives.
  class Channel {
   public:
    Channel(ModernChannels& channels, std::string_view bus, std::string_view client_uuid);
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;
    ~Channel();

   private:
    ModernChannels& channels_;
    const BusId bus_;
    const std::string client_uuid_;
    const std::string binding_;
  };
  std::unique_ptr<Channel> open(std::string_view bus, std::string_view client_uuid);

  // The client read its inbox through seq `through` (a pull or a
  // resources/read): a listen tells it of the next record after that. Wakes
  // its listens to look.
  void read(std::string_view bus, std::string_view client_uuid, std::uint64_t through);

  // presence() for a binding id; nullopt for any other id.
  std::optional<delivery::embedded::SessionPresence> presence(std::string_view binding_id) const;

  // Unregisters every ephemeral client bound by a modern request that has had
  // no channel open for `timeout` (and is still bound so). Returns how many.
  boost::asio::awaitable<std::size_t> sweep(std::chrono::steady_clock::duration timeout);

  // A listen's watch of the inbox of `client_uuid` on `bus` (it holds a
  // channel open while it lives); null when no such client is on the bus.
  std::unique_ptr<mcp::ResourceWatch> watch(const BusId& bus, std::string_view client_uuid,
                                            std::function<void()> wake);

 private:
  struct State {
    BusId bus;
    std::string client_uuid;
    int open = 0;
    std::uint64_t reads = 0;
    std::uint64_t read_through = 0;
    double last_activity_unix = 0;
    std::chrono::steady_clock::time_point idle_since;
  };
  class InboxWatch;

  State& state_locked(std::string_view bus, std::string_view client_uuid);
  // How many reads the client made, and through which seq.
  std::pair<std::uint64_t, std::uint64_t> reads(const std::string& binding) const;

  BusService& service_;
  mutable std::mutex mutex_;
  std::map<std::string, State, std::less<>> states_;  // by binding id
};

}  // namespace blender_bus::delivery
