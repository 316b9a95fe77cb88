#pragma once

#include "mcp/stream_source.hpp"
#include "tools/delivery_hub.hpp"

namespace blender_bus::tools {

// A session's stream pulls from the inboxes of the clients bound to it
// (SPEC §9): one user-level seq across them is the SSE event id.
class BusStreamSource final : public mcp::StreamSource {
 public:
  explicit BusStreamSource(DeliveryHub& hub) : hub_(hub) {}

  std::optional<ResumeError> resume(const mcp::Session& session,
                                    std::uint64_t last_event_id) override;
  mcp::StreamBatch next(const mcp::Session& session, std::size_t limit) override;
  void delivered(const mcp::Session& session, const mcp::StreamBatch& batch) override;

 private:
  DeliveryHub& hub_;
};

}  // namespace blender_bus::tools
