#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "delivery/bus_journal.hpp"

namespace blender_bus::delivery {

// Suspends the calling coroutine until the journal batch of `ticket` is
// committed (no thread blocks: the journal posts the resumption to the
// coroutine's executor). Returns whether it was committed. Ticket 0 (nothing
// durable) or no journal returns at once.
boost::asio::awaitable<bool> await_durable(BusJournal* journal, std::uint64_t ticket);

}  // namespace blender_bus::delivery
