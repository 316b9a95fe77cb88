#include "delivery/embedded/change_settlement.hpp"

#include <utility>

#include "delivery/durable_wait.hpp"

namespace blender_bus::delivery::embedded {

ChangeSettlement::ChangeSettlement(BusId bus_id, std::shared_ptr<UserMessageBus> bus,
                                   Outcome outcome, BusJournal* journal, std::uint64_t ticket,
                                   const RecordsVisible* visible)
    : bus_id_(std::move(bus_id)),
      bus_(std::move(bus)),
      outcome_(std::move(outcome)),
      journal_(journal),
      ticket_(ticket),
      visible_(visible) {}

ChangeSettlement::ChangeSettlement(std::string refusal)
    : refusal_(std::move(refusal)), finished_(true) {}

boost::asio::awaitable<bool> ChangeSettlement::settled() {
  if (finished_) co_return false;
  finished_ = true;
  // Answered once what must survive a restart is committed (SPEC §9).
  const bool committed = co_await await_durable(journal_, ticket_);
  if (committed) {
    bus_->release(outcome_);
    seqs_.reserve(outcome_.deliveries.size());
    for (const auto& d : outcome_.deliveries) seqs_.push_back(d.seq);
  } else {
    bus_->withdraw(outcome_);
  }
  // Held records kept later ones of the same readers back; either way those
  // may go now.
  if (outcome_.held && visible_ && *visible_) (*visible_)(bus_id_, outcome_);
  co_return committed;
}

void ChangeSettlement::withdraw() {
  if (finished_) return;
  finished_ = true;
  bus_->withdraw(outcome_);
  if (outcome_.held && visible_ && *visible_) (*visible_)(bus_id_, outcome_);
}

}  // namespace blender_bus::delivery::embedded
