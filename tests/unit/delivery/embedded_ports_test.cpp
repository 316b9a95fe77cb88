// The port contract (port_contract.hpp) against the embedded engine: in
// memory, and over a real SQLite store (its group commit and journal, records
// held until stored), as `serve` and `serve --no-durable` run it.
#include <filesystem>
#include <span>

#include "delivery/embedded/bus_manager.hpp"
#include "delivery/embedded/client_directory.hpp"
#include "delivery/embedded/inbox_log.hpp"
#include "delivery/store_journal.hpp"
#include "journaled_buses.hpp"
#include "port_contract.hpp"
#include "store/bus_store.hpp"
#include "store/connection.hpp"
#include "store/database.hpp"
#include "store/group_commit.hpp"
#include "store/transaction.hpp"

namespace blender_bus::delivery::test {
namespace {

embedded::DeliveryPolicy policy_of(const PortOptions& options, bool durable) {
  embedded::DeliveryPolicy policy;
  policy.inbox.max_records = options.max_records_per_client;
  policy.hold_until_stored = durable;
  return policy;
}

bus::RandomSource counting_random() {
  auto next = std::make_shared<unsigned>(0);
  return [next](std::span<unsigned char> out) {
    for (auto& b : out) b = static_cast<unsigned char>((*next)++ & 0xFF);
  };
}

class EmbeddedInMemory : public PortsUnderTest {
 public:
  explicit EmbeddedInMemory(const PortOptions& options, BusJournal* journal = nullptr)
      : buses_([] { return 1000.5; }, counting_random(), bus::Limits{},
               policy_of(options, journal != nullptr)),
        log_(buses_, journal, nullptr),
        directory_(buses_, journal, nullptr) {}

  RecordLog& log() override { return log_; }
  Directory& directory() override { return directory_; }

 private:
  embedded::BusManager buses_;
  embedded::InboxLog log_;
  embedded::ClientDirectory directory_;
};

// The store's parts, built before the engine over them.
struct SqliteStore {
  ~SqliteStore() {
    commit.stop();
    std::filesystem::remove_all(dir);
  }

  std::filesystem::path dir = fresh_store_dir();
  store::Database db{store::Database::file_in(dir), quick_busy_timeout()};
  store::BusStore bus_store{db};
  store::GroupCommit commit{bus_store};
  StoreJournal journal{commit};
};

class EmbeddedOverSqlite : private SqliteStore, public EmbeddedInMemory {
 public:
  explicit EmbeddedOverSqlite(const PortOptions& options) : EmbeddedInMemory(options, &journal) {}

  // Another connection to the same file holds the write lock: every commit
  // fails until it lets go.
  std::shared_ptr<void> failing_writes() override {
    struct Lock {
      explicit Lock(const std::filesystem::path& dir)
          : db(store::Database::file_in(dir)),
            connection(db.lock()),
            transaction(connection.transaction(store::TransactionMode::immediate)) {}
      store::Database db;
      store::Connection connection;
      store::Transaction transaction;
    };
    return std::make_shared<Lock>(dir);
  }
};

INSTANTIATE_TEST_SUITE_P(
    Embedded, PortContract,
    ::testing::Values(PortsFactory{"InMemory",
                                   [](const PortOptions& options) {
                                     return std::make_unique<EmbeddedInMemory>(options);
                                   }},
                      PortsFactory{"Sqlite",
                                   [](const PortOptions& options) {
                                     return std::make_unique<EmbeddedOverSqlite>(options);
                                   }}),
    contract_name);

}  // namespace
}  // namespace blender_bus::delivery::test
