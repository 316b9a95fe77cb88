#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "delivery/embedded/inbox_read.hpp"
#include "delivery/embedded/outcome.hpp"

namespace blender_bus::delivery {

// Where the durable part of the buses goes (SPEC §9): persistent clients, their
// inbox records, the per-user sequence and open jobs. Writes are batched; a
// ticket names the batch a write went into.
class BusJournal {
 public:
  virtual ~BusJournal() = default;

  // Records what `outcome` changed on `user_id`'s bus. Returns the ticket to
  // await before answering, 0 when nothing in it is durable.
  virtual std::uint64_t record(std::string_view user_id,
                               const delivery::embedded::Outcome& outcome) = 0;
  // Cursor moves of persistent clients; they ride along with later batches.
  virtual void record_cursors(std::string_view user_id,
                              const std::vector<delivery::embedded::CursorUpdate>& updates) = 0;
  // Calls `done(committed)` once the batch of `ticket` is committed (at once
  // when it already is), on the journal's thread or the caller's.
  virtual void when_durable(std::uint64_t ticket, std::function<void(bool committed)> done) = 0;
  // Asks for what was recorded so far to be committed now. Writes are
  // otherwise held back a little so that one commit takes many of them; a
  // caller awaiting durability asks once its turn's work is recorded.
  virtual void commit_soon() = 0;
  // Deletes everything of `user_id` (a deleted user), after whatever was
  // recorded for them before; returns once that is committed, so a namesake's
  // first writes come after it. Blocks: never call it on an I/O thread.
  virtual void forget_user(std::string_view user_id) = 0;
};

}  // namespace blender_bus::delivery
