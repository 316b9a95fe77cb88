#pragma once

#include "delivery/bus_service.hpp"
#include "mcp/stream_source.hpp"

namespace blender_bus::delivery {

// A session's stream pulls from the inboxes of the clients bound to it
// (SPEC §9): one user-level seq across them is the SSE event id.
class BusStreamSource final : public mcp::StreamSource {
 public:
  explicit BusStreamSource(BusService& service) : service_(service) {}

  std::optional<ResumeError> resume(const mcp::Session& session,
                                    std::uint64_t last_event_id) override;
  mcp::StreamBatch next(const mcp::Session& session, std::size_t limit) override;
  void delivered(const mcp::Session& session, const mcp::StreamBatch& batch) override;

 private:
  BusService& service_;
};

}  // namespace blender_bus::delivery
