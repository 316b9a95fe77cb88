// What a failed commit leaves behind (issue 12): nothing, and the tool says
// so through the shared epilogue's store failure. The failure is a real one,
// another connection holding the store's write lock.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "../delivery/journaled_buses.hpp"
#include "delivery/bus_stream_source.hpp"
#include "store/bus_store.hpp"
#include "store/database.hpp"
#include "store/group_commit.hpp"
#include "tool_call_support.hpp"
#include "tools/bus_tools.hpp"

namespace blender_bus::tools {
namespace {

namespace json = boost::json;

class StoreFailureTest : public ::testing::Test, protected delivery::test::JournaledBuses {
 protected:
  StoreFailureTest() {
    register_bus_tools(tools_, resources_, prompts_, service_, access_);
    worker_ = sessions_.create("alice");
    llm_ = sessions_.create("alice");
  }

  json::object call(const mcp::SessionPtr& session, std::string_view name, json::object args) {
    return test::call_tool(io_, tools_, session, name, std::move(args));
  }
  static json::object structured(const json::object& result) { return test::structured(result); }

  std::size_t pushed(const mcp::SessionPtr& session) {
    return source_.next(*session, 1000).events.size();
  }

  mcp::SessionRegistry sessions_{mcp::SessionLimits{}};
  delivery::BusService service_{buses_, sessions_, &journal_};
  delivery::BusStreamSource source_{service_};
  BusAccess access_{nullptr};  // personal buses only
  mcp::ToolRegistry tools_;
  mcp::ResourceRegistry resources_;
  mcp::PromptRegistry prompts_;
  boost::asio::io_context io_;
  mcp::SessionPtr worker_;
  mcp::SessionPtr llm_;
};

TEST_F(StoreFailureTest, ASendWhoseCommitFailsIsAnsweredWithAnErrorAndReachesNobody) {
  call(worker_, "blender_register_client",
       {{"client_uuid", "p"}, {"client_type", "blender"}, {"is_persistent", true}});
  call(llm_, "blender_register_client", {{"client_uuid", "e"}, {"client_type", "llm"}});
  json::object failed;
  {
    // Another connection to the same file holds the write lock.
    store::Database other(store::Database::file_in(dir_));
    store::Connection c = other.lock();
    store::Transaction lock = c.transaction(store::TransactionMode::immediate);
    failed = call(llm_, "blender_send_message", {{"payload", {{"n", 1}}}});  // broadcast: p and e
  }
  EXPECT_EQ(failed.at("isError"), true);
  EXPECT_EQ(json::serialize(structured(failed)),
            R"({"status":"error","error":"store_unavailable: the message could not be stored, )"
            R"(so nobody received it; try again"})");
  EXPECT_EQ(pushed(worker_), 0u);
  EXPECT_EQ(pushed(llm_), 0u);
  EXPECT_EQ(stored_records(), 0u);
  EXPECT_EQ(buses_.bus("alice")->stats().pending_records, 0u);

  auto ok = call(llm_, "blender_send_message", {{"payload", {{"n", 2}}}});
  EXPECT_EQ(structured(ok).at("status"), "ok");
  EXPECT_EQ(pushed(worker_), 1u);
  EXPECT_EQ(pushed(llm_), 1u);
  EXPECT_EQ(stored_records(), 1u);
}

TEST_F(StoreFailureTest, ARegistrationWhoseCommitFailsIsUndone) {
  json::object failed;
  {
    store::Database other(store::Database::file_in(dir_));
    store::Connection c = other.lock();
    store::Transaction lock = c.transaction(store::TransactionMode::immediate);
    failed = call(worker_, "blender_register_client",
                  {{"client_uuid", "p"}, {"client_type", "blender"}, {"is_persistent", true}});
  }
  EXPECT_EQ(failed.at("isError"), true);
  EXPECT_EQ(structured(failed).at("error"),
            "store_unavailable: the registration could not be stored, so it was undone; try "
            "again");
  EXPECT_FALSE(buses_.bus("alice")->find("p"));
  store::BusStore reader(db_);
  EXPECT_TRUE(reader.load().clients.empty());
}

}  // namespace
}  // namespace blender_bus::tools
