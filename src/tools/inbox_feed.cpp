#include "tools/inbox_feed.hpp"

#include <string>

namespace blender_bus::tools {

// A shared bus's inbox watch, checked again on every wake: refused once, it
// lets its channel go (the client is offline for it) and stays silent.
class InboxFeed::SharedBusWatch : public mcp::ResourceWatch {
 public:
  SharedBusWatch(const BusAccess& access, BusGrant grant, std::string user, std::string client_uuid,
                 std::unique_ptr<mcp::ResourceWatch> inbox)
      : access_(access),
        grant_(std::move(grant)),
        user_(std::move(user)),
        client_uuid_(std::move(client_uuid)),
        inbox_(std::move(inbox)) {}

  bool take_update() override {
    if (!inbox_) return false;
    if (access_.check_again(grant_, user_, sharing::BusAction::receive, client_uuid_)) {
      inbox_.reset();
      return false;
    }
    return inbox_->take_update();
  }

 private:
  const BusAccess& access_;
  const BusGrant grant_;
  const std::string user_;
  const std::string client_uuid_;
  std::unique_ptr<mcp::ResourceWatch> inbox_;
};

InboxFeed::InboxFeed(delivery::ModernChannels& channels, const BusAccess& access)
    : channels_(channels), access_(access) {}

mcp::WatchAnswer InboxFeed::watch(std::string_view user_id, std::string_view uri,
                                  std::function<void()> wake) {
  constexpr std::string_view kPrefix = delivery::ModernChannels::kInboxPrefix;
  if (!uri.starts_with(kPrefix)) return {};
  const BusOnUri on_uri = split_bus_id(uri.substr(kPrefix.size()));
  if (on_uri.path.empty()) return {};
  auto checked = access_.check(user_id, on_uri.bus_id, sharing::BusAction::receive);
  if (auto* refusal = std::get_if<BusRefusal>(&checked)) {
    return {nullptr, std::string(refusal->at("error").as_string())};
  }
  BusGrant grant = std::get<BusGrant>(std::move(checked));
  if (auto refusal = access_.check_client(grant, user_id, on_uri.path)) {
    return {nullptr, std::string(refusal->at("error").as_string())};
  }
  // Another bus's uuid is as unknown here as one that does not exist.
  auto inbox = channels_.watch(grant.bus, on_uri.path, std::move(wake));
  if (!inbox || !grant.shared()) return {std::move(inbox), {}};
  return {std::make_unique<SharedBusWatch>(access_, std::move(grant), std::string(user_id),
                                           std::string(on_uri.path), std::move(inbox)),
          {}};
}

}  // namespace blender_bus::tools
