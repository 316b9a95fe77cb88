#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delivery/bus_id.hpp"
#include "delivery/bus_journal.hpp"
#include "delivery/embedded/outcome.hpp"
#include "delivery/embedded/user_message_bus.hpp"
#include "delivery/record_log.hpp"

namespace blender_bus::delivery::embedded {

// Called once an outcome's held records became visible (or were withdrawn,
// which lets records behind them go): wakes their readers.
using RecordsVisible = std::function<void(const BusId& bus, const Outcome& outcome)>;

// A change of one embedded bus (an append, a job opened or closed), settled
// by the journal: in memory at once when nothing of it is durable (ticket 0
// or no journal), else once the group commit holds it. On success its held
// records are released; on failure, or when withdrawn, the bus takes the
// whole change back (UserMessageBus::withdraw).
class ChangeSettlement final : public Append {
 public:
  // `visible` may be null (nothing to wake) and must outlive this.
  ChangeSettlement(BusId bus_id, std::shared_ptr<UserMessageBus> bus, Outcome outcome,
                   BusJournal* journal, std::uint64_t ticket, const RecordsVisible* visible);
  // An append refused before anything was written.
  explicit ChangeSettlement(std::string refusal);

  boost::asio::awaitable<bool> settled() override;
  void withdraw() override;
  const std::optional<std::string>& refusal() const override { return refusal_; }
  const std::vector<std::uint64_t>& seqs() const override { return seqs_; }

 private:
  BusId bus_id_;
  std::shared_ptr<UserMessageBus> bus_;
  Outcome outcome_;
  BusJournal* journal_ = nullptr;
  std::uint64_t ticket_ = 0;
  const RecordsVisible* visible_ = nullptr;
  std::optional<std::string> refusal_;
  std::vector<std::uint64_t> seqs_;
  bool finished_ = false;
};

}  // namespace blender_bus::delivery::embedded
