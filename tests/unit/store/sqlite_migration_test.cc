// Databases written by an older Relayer open with their data intact: the schema migrations run
// on start and backfill what later versions keep (message counts, the per-user change index).
#include <sqlite3.h>

#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

// Turns the database back into schema v1, as the first release wrote it.
void DowngradeToV1(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db,
                              "DROP TABLE sync_log;"
                              "DROP TABLE change_recipients;"
                              "DROP INDEX hidden_messages_by_user;"
                              "ALTER TABLE participants DROP COLUMN hidden_below;"
                              "ALTER TABLE conversations DROP COLUMN message_count;"
                              "PRAGMA user_version = 1;",
                              nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST_P(StoreConformance, AVersionOneDatabaseMigratesWithCountsAndChangesIntact) {
  if (GetParam().name != "SQLite") GTEST_SKIP() << "SQLite schema history";
  Conversation c = MakeConversation("alice", {"bob", "carol"});
  std::vector<Message> m;
  for (int i = 0; i < 4; ++i) m.push_back(Send(c.id, "alice", "m" + std::to_string(i)));
  ASSERT_TRUE(Write(DeleteMessageOp{app_, m[0].id, U("carol"), DeletionMode::kMyDevices, Now()})
                  .status.ok());
  ASSERT_TRUE(
      Write(DeleteConversationOp{app_, c.id, U("bob"), DeletionMode::kMyDevices, false, Now()})
          .status.ok());
  Send(c.id, "alice", "after");
  const auto bob_changes = Changes("bob").size();
  const auto carol_changes = Changes("carol").size();
  ASSERT_GT(bob_changes, 0u);
  Close();
  DowngradeToV1(location_ + "/relayer.db");
  Open();
  EXPECT_EQ(store().ListMessages(app_, U("alice"), c.id, Page{})->total, 5);
  EXPECT_EQ(store().ListMessages(app_, U("bob"), c.id, Page{})->total, 1);    // hid m0..m3
  EXPECT_EQ(store().ListMessages(app_, U("carol"), c.id, Page{})->total, 4);  // hid m0
  EXPECT_EQ(Changes("bob").size(), bob_changes);  // the per-user index was backfilled
  EXPECT_EQ(Changes("carol").size(), carol_changes);
  // And the counts keep following new writes.
  Send(c.id, "bob", "more");
  EXPECT_EQ(store().ListMessages(app_, U("bob"), c.id, Page{})->total, 2);
  EXPECT_EQ(store().ListMessages(app_, U("alice"), c.id, Page{})->total, 6);
  // The sync log (v4) starts empty and logs from then on.
  auto log = store().ListSyncLog(app_, SyncLogFilter{});
  ASSERT_TRUE(log.ok()) << log.status().message();
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].actor.name, "bob");
}

}  // namespace
}  // namespace relayer::testing
