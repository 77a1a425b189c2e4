// The PostgreSQL schema migrations against a real server: RELAYER_TEST_PG, a libpq URI that
// scripts/services.sh exports (CI sets it). Each test works in a schema of its own with a random
// name, dropped afterwards, so tests are independent and can run in parallel on one database.
#include "store/postgres/schema.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/ids.h"
#include "core/validation.h"
#include "store/postgres/connection.h"

namespace relayer::pg {
namespace {

constexpr const char* kApp = "6e0a5c5e-9bd2-4b62-8d6b-1f7f3c0b2a10";
constexpr const char* kOtherApp = "0d4f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
constexpr const char* kConvA = "11111111-2222-4333-8444-555555555555";
constexpr const char* kConvB = "66666666-7777-4888-8999-aaaaaaaaaaaa";

std::string RandomSchemaName() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  return "relayer_test_" + std::to_string(gen() % 1000000000000ULL);
}

std::string Key(std::vector<std::string> users) {
  std::vector<UserId> ids;
  for (auto& u : users) ids.emplace_back(std::move(u));
  return DistinctKey(std::move(ids));
}

class PgSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* uri = std::getenv("RELAYER_TEST_PG");
    if (uri == nullptr || *uri == '\0') {
      GTEST_SKIP() << "RELAYER_TEST_PG is not set: no PostgreSQL to test against (scripts/test.sh "
                      "starts one with scripts/services.sh)";
    }
    uri_ = uri;
    schema_ = RandomSchemaName();
    admin_ = Connect(/*in_schema=*/false);
    ASSERT_NE(admin_, nullptr);
    ASSERT_TRUE(admin_->Execute("CREATE SCHEMA " + schema_).ok());
    db_ = Connect();
    ASSERT_NE(db_, nullptr);
  }

  void TearDown() override {
    if (admin_) {
      EXPECT_TRUE(admin_->Execute("DROP SCHEMA " + schema_ + " CASCADE").ok());
    }
  }

  // A new connection whose tables go into (and are looked up in) this test's schema.
  std::unique_ptr<Connection> Connect(bool in_schema = true) {
    auto c = Connection::Open(uri_, 10);
    EXPECT_TRUE(c.ok()) << c.status().message();
    if (!c.ok()) return nullptr;
    if (in_schema) {
      Status s = (*c)->Execute("SET search_path TO " + schema_);
      EXPECT_TRUE(s.ok()) << s.message();
    }
    return std::move(c).value();
  }

  std::string One(Connection& c, const std::string& sql, const std::vector<Param>& params = {}) {
    auto r = c.Query(sql, params);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
    if (!r.ok() || r->rows.size() != 1 || !r->rows[0][0]) return "<none>";
    return *r->rows[0][0];
  }

  std::string TableCount() {
    return One(*admin_, "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1",
               {schema_});
  }

  Status InsertConversation(Connection& c, const char* app, const char* id) {
    return c.Query("INSERT INTO conversations (app, id, created_at) VALUES ($1, $2, 0)", {app, id})
        .status();
  }
  Status ClaimDistinct(Connection& c, const char* app, const std::string& key, const char* conv) {
    return c
        .Query("INSERT INTO distinct_conversations (app, distinct_key, conv) VALUES ($1, $2, $3)",
               {app, key, conv})
        .status();
  }

  std::string uri_;
  std::string schema_;
  std::unique_ptr<Connection> admin_;
  std::unique_ptr<Connection> db_;
};

TEST(PgConnection, UnreachableServerIsServiceUnavailable) {
  // Port 1 on loopback: nothing listens, so the connection is refused at once.
  auto c = Connection::Open("postgresql://nobody@127.0.0.1:1/none", 2);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kServiceUnavailable);
}

TEST_F(PgSchema, MigratesAnEmptyDatabase) {
  auto before = SchemaVersion(*db_);
  ASSERT_TRUE(before.ok()) << before.status().message();
  EXPECT_EQ(*before, 0);
  EXPECT_EQ(TableCount(), "0");

  Status s = Migrate(*db_);
  ASSERT_TRUE(s.ok()) << s.message();
  auto after = SchemaVersion(*db_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, kSchemaVersion);
  for (const char* table : {"schema_version", "identities", "sessions", "conversations",
                            "distinct_conversations", "participants", "messages", "message_ids",
                            "hidden_messages", "changes", "user_change_heads", "user_changes"}) {
    EXPECT_EQ(One(*db_, "SELECT to_regclass($1) IS NOT NULL", {schema_ + "." + table}), "t")
        << table;
  }
}

TEST_F(PgSchema, MigratingAgainIsANoOp) {
  ASSERT_TRUE(Migrate(*db_).ok());
  ASSERT_TRUE(InsertConversation(*db_, kApp, kConvA).ok());
  const std::string tables = TableCount();

  Status s = Migrate(*db_);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(TableCount(), tables);
  EXPECT_EQ(One(*db_, "SELECT count(*) FROM schema_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(One(*db_, "SELECT count(*) FROM conversations"), "1");  // data untouched
}

TEST_F(PgSchema, RefusesADatabaseNewerThanItself) {
  ASSERT_TRUE(Migrate(*db_).ok());
  const std::string newer = std::to_string(kSchemaVersion + 1);
  ASSERT_TRUE(db_->Query("INSERT INTO schema_version (version) VALUES ($1)", {newer}).ok());
  Status s = Migrate(*db_);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("newer"), std::string::npos) << s.message();
}

// Several nodes starting together: all of them wait on the migration lock at the same time (seen
// in pg_locks), and when it is released each migration succeeds and the schema exists once.
TEST_F(PgSchema, ConcurrentMigrationsEndWithOneSchemaAndTheRightVersion) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<Connection>> nodes;
  std::vector<std::string> pids;
  for (int i = 0; i < kNodes; ++i) {
    nodes.push_back(Connect());
    ASSERT_NE(nodes.back(), nullptr);
    pids.push_back(One(*nodes.back(), "SELECT pg_backend_pid()"));
  }
  // Hold the migration lock so that every node is inside Migrate() before any can proceed.
  ASSERT_TRUE(db_->Execute("BEGIN").ok());
  ASSERT_TRUE(db_->Query("SELECT pg_advisory_xact_lock(32199663511233906)").ok());

  std::vector<Status> results(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(*nodes[i]); });
  }
  std::string pid_list = "{";
  for (int i = 0; i < kNodes; ++i) pid_list += (i ? "," : "") + pids[i];
  pid_list += "}";
  std::string waiting;
  for (int tries = 0; tries < 200 && waiting != std::to_string(kNodes); ++tries) {
    waiting = One(*admin_,
                  "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                  " AND pid = ANY($1::int[])",
                  {pid_list});
    if (waiting != std::to_string(kNodes))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(waiting, std::to_string(kNodes));
  ASSERT_TRUE(db_->Execute("COMMIT").ok());
  for (auto& t : threads) t.join();

  for (int i = 0; i < kNodes; ++i)
    EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].message();
  EXPECT_EQ(One(*db_, "SELECT count(*) FROM schema_version"), std::to_string(kSchemaVersion));
  auto version = SchemaVersion(*db_);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, kSchemaVersion);
  EXPECT_EQ(One(*admin_,
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'messages'"
                " AND table_schema = $1",
                {schema_}),
            "1");
}

TEST_F(PgSchema, DistinctParticipantSetIsClaimedByOneConversation) {
  ASSERT_TRUE(Migrate(*db_).ok());
  ASSERT_TRUE(InsertConversation(*db_, kApp, kConvA).ok());
  ASSERT_TRUE(InsertConversation(*db_, kApp, kConvB).ok());
  ASSERT_TRUE(ClaimDistinct(*db_, kApp, Key({"alice", "bob"}), kConvA).ok());

  // The same set in another order is the same key, and a second conversation cannot claim it.
  Status s = ClaimDistinct(*db_, kApp, Key({"bob", "alice", "bob"}), kConvB);
  EXPECT_EQ(s.code(), ErrorCode::kConflict) << s.message();
  EXPECT_EQ(db_->last_sqlstate(), kUniqueViolation);

  // Another set, or the same set in another app, is free.
  EXPECT_TRUE(ClaimDistinct(*db_, kApp, Key({"alice", "carol"}), kConvB).ok());
  ASSERT_TRUE(InsertConversation(*db_, kOtherApp, kConvA).ok());
  EXPECT_TRUE(ClaimDistinct(*db_, kOtherApp, Key({"alice", "bob"}), kConvA).ok());
}

// Two nodes creating the same distinct conversation at once, neither committed yet: the second
// insert waits for the first transaction and fails once it commits. No check-then-insert window.
TEST_F(PgSchema, DistinctClaimIsRaceProofAcrossConnections) {
  ASSERT_TRUE(Migrate(*db_).ok());
  auto other = Connect();
  ASSERT_NE(other, nullptr);
  const std::string key = Key({"alice", "bob"});

  ASSERT_TRUE(db_->Execute("BEGIN").ok());
  ASSERT_TRUE(InsertConversation(*db_, kApp, kConvA).ok());
  ASSERT_TRUE(ClaimDistinct(*db_, kApp, key, kConvA).ok());

  Status second;
  std::thread racer([&] {
    second = other->Execute("BEGIN");
    if (second.ok()) second = InsertConversation(*other, kApp, kConvB);
    if (second.ok()) second = ClaimDistinct(*other, kApp, key, kConvB);
    (void)other->Execute("ROLLBACK");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it block on the key
  ASSERT_TRUE(db_->Execute("COMMIT").ok());
  racer.join();

  EXPECT_EQ(second.code(), ErrorCode::kConflict) << second.message();
  EXPECT_EQ(One(*db_, "SELECT conv FROM distinct_conversations WHERE distinct_key = $1", {key}),
            kConvA);
  EXPECT_EQ(One(*db_, "SELECT count(*) FROM conversations"), "1");
}

}  // namespace
}  // namespace relayer::pg
