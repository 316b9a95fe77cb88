#include "cli/user_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <sstream>

#include "auth/password_hasher.hpp"
#include "auth/sqlite_refresh_token_store.hpp"
#include "auth/sqlite_user_store.hpp"
#include "auth/token_service.hpp"
#include "store/bus_store.hpp"
#include "store/database.hpp"

namespace blender_bus::cli {
namespace {

namespace fs = std::filesystem;
using Action = UserCommand::Action;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class UserCommandTest : public ::testing::Test {
 protected:
  UserCommandTest() {
    std::random_device rd;
    dir_ =
        fs::temp_directory_path() / ("bb-user-cmd-" + std::to_string(rd()) + std::to_string(rd()));
  }
  ~UserCommandTest() override { fs::remove_all(dir_); }

  int run(Action action, const std::string& name, const std::string& stdin_text = "",
          bool password_stdin = true) {
    UserCommand command;
    command.action = action;
    command.username = name;
    command.data_dir = dir_ / "data";
    command.password_stdin = password_stdin;
    command.roles = roles_;
    std::istringstream in(stdin_text);
    out_.str("");
    err_.str("");
    return run_user_command(command, in, out_, err_, /*fast_hashing=*/true);
  }
  bool can_log_in(const std::string& name, const std::string& password) {
    store::Database db(store::Database::file_in(dir_ / "data"));
    const auth::PasswordHasher hasher(auth::PasswordHashCost::minimum());
    return auth::SqliteUserStore(db, hasher).verify_credentials(name, password).has_value();
  }

  fs::path dir_;
  std::vector<std::string> roles_;
  std::ostringstream out_, err_;
};

TEST_F(UserCommandTest, AddCreatesTheStoreAndTheUser) {
  EXPECT_EQ(run(Action::add, "alice", "s3cret\n"), 0) << err_.str();
  EXPECT_EQ(out_.str(), "Created user 'alice'.\n");
  EXPECT_TRUE(can_log_in("alice", "s3cret"));
  EXPECT_FALSE(can_log_in("alice", "s3cret\n"));  // the line ending is not part of it
}

TEST_F(UserCommandTest, AddRefusesATakenName) {
  run(Action::add, "alice", "one\n");
  EXPECT_EQ(run(Action::add, "alice", "two\n"), 1);
  EXPECT_EQ(err_.str(), "blender-bus user: user 'alice' already exists\n");
  EXPECT_TRUE(can_log_in("alice", "one"));
}

TEST_F(UserCommandTest, AddRefusesBadNamesAndPasswords) {
  EXPECT_EQ(run(Action::add, std::string(129, 'a'), "pw\n"), 1);
  EXPECT_EQ(err_.str(), "blender-bus user: username is longer than 128 characters\n");
  EXPECT_EQ(run(Action::add, "bob", "\n"), 1);
  EXPECT_EQ(err_.str(), "blender-bus user: password must not be empty\n");
  EXPECT_EQ(run(Action::add, "bob", ""), 1);
  EXPECT_EQ(err_.str(), "blender-bus user: no password given on stdin\n");
}

TEST_F(UserCommandTest, WithoutATerminalThePasswordMustComeFromStdin) {
  if (::isatty(STDIN_FILENO)) GTEST_SKIP() << "stdin is a terminal";
  EXPECT_EQ(run(Action::add, "alice", "pw\n", /*password_stdin=*/false), 1);
  EXPECT_THAT(err_.str(), HasSubstr("pass --password-stdin"));
}

TEST_F(UserCommandTest, QuotesAndSemicolonsAreJustCharacters) {
  const std::string odd = R"(robert'); DROP TABLE users;--")";
  EXPECT_EQ(run(Action::add, odd, "pw\n"), 0) << err_.str();
  EXPECT_EQ(run(Action::add, "alice", "pw\n"), 0);
  EXPECT_TRUE(can_log_in(odd, "pw"));
  EXPECT_EQ(run(Action::list, ""), 0);
  EXPECT_THAT(out_.str(), HasSubstr(odd + "\t"));
  EXPECT_THAT(out_.str(), HasSubstr("alice\t"));
}

TEST_F(UserCommandTest, PasswdChangesThePasswordAndRevokesRefreshTokens) {
  run(Action::add, "alice", "old\n");
  auth::IssuedToken token;
  {
    store::Database db(store::Database::file_in(dir_ / "data"));
    auth::SqliteRefreshTokenStore refresh(db);
    token = auth::TokenService({"cli-test-secret-cli-test-secret", "iss"}).issue_refresh("alice");
    refresh.add(token, "alice", std::chrono::system_clock::now());
  }
  EXPECT_EQ(run(Action::passwd, "alice", "new\n"), 0) << err_.str();
  EXPECT_EQ(out_.str(), "Changed the password of 'alice' (their tokens are revoked).\n");
  EXPECT_FALSE(can_log_in("alice", "old"));
  EXPECT_TRUE(can_log_in("alice", "new"));
  store::Database db(store::Database::file_in(dir_ / "data"));
  EXPECT_FALSE(auth::SqliteRefreshTokenStore(db).is_usable(token.jti, token.token,
                                                           std::chrono::system_clock::now()));
}

TEST_F(UserCommandTest, PasswdAndDelOfAnUnknownUserFail) {
  run(Action::add, "alice", "pw\n");
  EXPECT_EQ(run(Action::passwd, "bob", "pw\n"), 1);
  EXPECT_EQ(err_.str(), "blender-bus user: no user 'bob'\n");
  EXPECT_EQ(run(Action::del, "bob"), 1);
  EXPECT_EQ(err_.str(), "blender-bus user: no user 'bob'\n");
}

TEST_F(UserCommandTest, DelRemovesTheUser) {
  run(Action::add, "alice", "pw\n");
  EXPECT_EQ(run(Action::del, "alice"), 0);
  EXPECT_EQ(out_.str(), "Deleted user 'alice' and their bus.\n");
  EXPECT_FALSE(can_log_in("alice", "pw"));
}

TEST_F(UserCommandTest, PasswdAndDelMoveTheTokenGenerationOn) {
  run(Action::add, "alice", "pw\n");
  const auto generation = [this] {
    store::Database db(store::Database::file_in(dir_ / "data"));
    const auth::PasswordHasher hasher(auth::PasswordHashCost::minimum());
    return auth::SqliteUserStore(db, hasher).find("alice")->token_generation;
  };
  EXPECT_EQ(generation(), 0u);
  run(Action::passwd, "alice", "new\n");
  EXPECT_EQ(generation(), 1u);
  run(Action::del, "alice");
  run(Action::add, "alice", "again\n");
  EXPECT_EQ(generation(), 2u);  // above every token of the deleted alice
}

TEST_F(UserCommandTest, DelPurgesTheUsersBusAndNoOneElses) {
  run(Action::add, "alice", "pw\n");
  run(Action::add, "bob", "pw\n");
  {
    store::Database db(store::Database::file_in(dir_ / "data"));
    store::BusStore buses(db);
    std::vector<store::BusMutation> batch;
    for (const std::string user : {"alice", "bob"}) {
      store::BusMutation client;
      client.kind = store::BusMutation::Kind::upsert_client;
      client.client = {user, "worker", "blender", {}, std::nullopt, 1, 1, 0, 0};
      batch.push_back(client);
      store::BusMutation record;
      record.kind = store::BusMutation::Kind::append_record;
      record.record = {user, "worker", 1, 6, 1, std::make_shared<const std::string>("{}")};
      batch.push_back(record);
      store::BusMutation job;
      job.kind = store::BusMutation::Kind::open_job;
      job.job = {user, "job-1", "llm"};
      batch.push_back(job);
      store::BusMutation sequence;
      sequence.kind = store::BusMutation::Kind::sequence;
      sequence.user_id = user;
      sequence.seq = 1;
      batch.push_back(sequence);
    }
    buses.apply(batch);
  }
  EXPECT_EQ(run(Action::del, "alice"), 0) << err_.str();
  store::Database db(store::Database::file_in(dir_ / "data"));
  const store::BusSnapshot left = store::BusStore(db).load();
  ASSERT_EQ(left.clients.size(), 1u);
  EXPECT_EQ(left.clients[0].user_id, "bob");
  ASSERT_EQ(left.records.size(), 1u);
  EXPECT_EQ(left.records[0].user_id, "bob");
  ASSERT_EQ(left.jobs.size(), 1u);
  EXPECT_EQ(left.jobs[0].user_id, "bob");
  ASSERT_EQ(left.sequences.size(), 1u);
  EXPECT_EQ(left.sequences[0].first, "bob");
  // Not even unswept rows are left behind.
  store::Connection c = db.lock();
  store::Statement rows = c.prepare("SELECT count(*) FROM bus_records WHERE user_id = 'alice'");
  rows.step();
  EXPECT_EQ(rows.column_int64(0), 0);
}

TEST_F(UserCommandTest, ListShowsNamesGrantsAndCreationTime) {
  roles_ = {"admin"};
  run(Action::add, "zed", "pw\n");
  roles_ = {};
  run(Action::add, "alice", "pw\n");
  EXPECT_EQ(run(Action::list, ""), 0);
  EXPECT_THAT(out_.str(),
              MatchesRegex("alice\troles=user\tscopes=read,write\tcreated=[0-9T:-]+Z\n"
                           "zed\troles=admin\tscopes=read,write\tcreated=[0-9T:-]+Z\n"));
}

TEST_F(UserCommandTest, ListDelAndPasswdNeedAnExistingStore) {
  EXPECT_EQ(run(Action::list, ""), 1);
  EXPECT_THAT(err_.str(), HasSubstr("no store at"));
  EXPECT_FALSE(fs::exists(dir_ / "data"));  // nothing was created
}

TEST_F(UserCommandTest, CommandLineIsWired) {
  CLI::App missing_name;
  add_user_command(missing_name);
  EXPECT_THROW(missing_name.parse("user add --password-stdin", false), CLI::RequiredError);

  CLI::App list;
  add_user_command(list);
  try {
    list.parse("user list --data-dir " + (dir_ / "data").string(), false);
    ADD_FAILURE() << "no exception";
  } catch (const CLI::RuntimeError& e) {
    EXPECT_EQ(e.get_exit_code(), 1);  // the callback ran: there is no store yet
  }
}

}  // namespace
}  // namespace blender_bus::cli
