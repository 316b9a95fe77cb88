#include "delivery/modern_channels.hpp"

#include <algorithm>
#include <vector>

#include "delivery/wake_on_records.hpp"

namespace blender_bus::delivery {

namespace asio = boost::asio;

namespace {

double now_unix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

// A listen's view of one inbox: woken by every record for the client (the
// same key long-polls wait on), it answers "tell the subscriber" once per
// unread state: after telling, only a read of the inbox (or the inbox
// emptying) lets the next record be told.
class ModernChannels::InboxWatch : public mcp::ResourceWatch {
 public:
  InboxWatch(ModernChannels& channels, BusId bus, std::string client_uuid,
             std::function<void()> wake)
      : channels_(channels),
        bus_(std::move(bus)),
        client_uuid_(std::move(client_uuid)),
        binding_(binding_id(bus_, client_uuid_)),
        key_(Waiters::client_key(bus_, client_uuid_)),
        channel_(channels, bus_, client_uuid_),
        on_records_(channels_.service_.waiters(), key_) {
    waiter_ = channels_.service_.waiters().add(key_, std::move(wake));
    // The client's feed tells of each record as it is appended, on any node.
    feed_ = channels_.service_.record_log()
                .open_feed(bus_, client_uuid_, std::nullopt, on_records_)
                .feed;
  }
  ~InboxWatch() override {
    feed_.reset();  // no on_records() after this
    channels_.service_.waiters().remove(key_, waiter_);
  }

  bool take_update() override {
    // The newest record the feed has shown (it opened at the delivered cursor).
    for (std::vector<LoggedRecord> records; feed_ && !(records = feed_->next(256)).empty();) {
      newest_ = std::max(newest_, records.back().seq);
    }
    const auto [reads, read_through] = channels_.reads(binding_);
    // Unread: after the delivered cursor (pending) and after what the client
    // last read. Over the ports, so a cluster node's listens are told too.
    const RecordCounts counts = channels_.service_.record_log().counts(bus_, client_uuid_);
    if (counts.pending == 0 || newest_ <= read_through) {
      told_ = false;
      return false;
    }
    if (told_ && reads == reads_when_told_) return false;
    told_ = true;
    reads_when_told_ = reads;
    return true;
  }

 private:
  ModernChannels& channels_;
  const BusId bus_;
  const std::string client_uuid_;
  const std::string binding_;
  const std::string key_;
  Channel channel_;
  WakeOnRecords on_records_;
  std::unique_ptr<Feed> feed_;
  std::uint64_t waiter_ = 0;
  std::uint64_t newest_ = 0;
  bool told_ = false;
  std::uint64_t reads_when_told_ = 0;
};

ModernChannels::ModernChannels(BusService& service) : service_(service) {}

std::string ModernChannels::binding_id(std::string_view bus, std::string_view client_uuid) {
  std::string id = "modern:";
  id.append(bus).append("/").append(client_uuid);
  return id;
}

ModernChannels::State& ModernChannels::state_locked(std::string_view bus,
                                                    std::string_view client_uuid) {
  const std::string binding = binding_id(bus, client_uuid);
  auto it = states_.find(binding);
  if (it == states_.end()) {
    State fresh;
    fresh.bus = BusId(bus);
    fresh.client_uuid = std::string(client_uuid);
    fresh.idle_since = std::chrono::steady_clock::now();
    fresh.last_activity_unix = now_unix();
    it = states_.emplace(binding, std::move(fresh)).first;
  }
  return it->second;
}

void ModernChannels::bound(std::string_view bus, std::string_view client_uuid) {
  std::lock_guard lock(mutex_);
  State& state = state_locked(bus, client_uuid);
  state.idle_since = std::chrono::steady_clock::now();
  state.last_activity_unix = now_unix();
}

ModernChannels::Channel::Channel(ModernChannels& channels, std::string_view bus,
                                 std::string_view client_uuid)
    : channels_(channels),
      bus_(bus),
      client_uuid_(client_uuid),
      binding_(binding_id(bus, client_uuid)) {
  bool first = false;
  {
    std::lock_guard lock(channels_.mutex_);
    State& state = channels_.state_locked(bus, client_uuid);
    first = state.open++ == 0;
    state.last_activity_unix = now_unix();
  }
  // The first open channel holds the client (in a cluster: online on every node).
  if (first) channels_.service_.directory().hold(bus_, client_uuid_, binding_);
}

ModernChannels::Channel::~Channel() {
  bool last = false;
  {
    std::lock_guard lock(channels_.mutex_);
    auto it = channels_.states_.find(binding_);
    if (it == channels_.states_.end()) return;
    last = --it->second.open == 0;
    if (last) it->second.idle_since = std::chrono::steady_clock::now();
    it->second.last_activity_unix = now_unix();
  }
  if (last) channels_.service_.directory().release(bus_, client_uuid_, binding_);
}

std::unique_ptr<ModernChannels::Channel> ModernChannels::open(std::string_view bus,
                                                              std::string_view client_uuid) {
  return std::make_unique<Channel>(*this, bus, client_uuid);
}

void ModernChannels::read(std::string_view bus, std::string_view client_uuid,
                          std::uint64_t through) {
  {
    std::lock_guard lock(mutex_);
    auto it = states_.find(binding_id(bus, client_uuid));
    if (it == states_.end()) return;  // no listen has ever watched it
    ++it->second.reads;
    it->second.read_through = std::max(it->second.read_through, through);
    it->second.last_activity_unix = now_unix();
  }
  service_.waiters().wake(Waiters::client_key(bus, client_uuid));
}

std::pair<std::uint64_t, std::uint64_t> ModernChannels::reads(const std::string& binding) const {
  std::lock_guard lock(mutex_);
  auto it = states_.find(binding);
  if (it == states_.end()) return {0, 0};
  return {it->second.reads, it->second.read_through};
}

std::optional<delivery::embedded::SessionPresence> ModernChannels::presence(
    std::string_view binding) const {
  std::lock_guard lock(mutex_);
  auto it = states_.find(binding);
  if (it == states_.end()) return std::nullopt;
  return delivery::embedded::SessionPresence{it->second.open > 0, it->second.last_activity_unix};
}

asio::awaitable<std::size_t> ModernChannels::sweep(std::chrono::steady_clock::duration timeout) {
  std::vector<std::pair<std::string, State>> idle;
  {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    for (auto it = states_.begin(); it != states_.end();) {
      if (it->second.open == 0 && now - it->second.idle_since >= timeout) {
        idle.emplace_back(it->first, std::move(it->second));
        it = states_.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::size_t left = 0;
  for (auto& [binding, state] : idle) {
    auto client = service_.directory().find(state.bus, state.client_uuid);
    // Persistent clients stay (offline); one a session took over is its own.
    if (!client || client->is_persistent || client->session_id != binding) continue;
    co_await service_.unregister_client(std::move(state.bus), std::move(state.client_uuid));
    ++left;
  }
  co_return left;
}

std::unique_ptr<mcp::ResourceWatch> ModernChannels::watch(const BusId& bus,
                                                          std::string_view client_uuid,
                                                          std::function<void()> wake) {
  if (!service_.directory().find(bus, client_uuid)) return nullptr;
  return std::make_unique<InboxWatch>(*this, bus, std::string(client_uuid), std::move(wake));
}

}  // namespace blender_bus::delivery
