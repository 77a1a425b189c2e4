// Databases written by an older Relayer open with their data intact: the schema migrations run
// on start and backfill what later versions keep (message counts, the per-user change index).
#include <sqlite3.h>

#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

// Undoes v11 as a v10 Relayer would have written the same data: member changes indexed by
// recipient again, no conversation index, no departures.
const std::string kUndoV11 =
    "INSERT OR IGNORE INTO change_recipients (app, user_id, seq) "
    "SELECT c.app, r.value, c.seq FROM changes c, json_each(c.recipients) r "
    "WHERE c.conv IS NOT NULL;"
    "DROP TRIGGER participants_departed; DROP INDEX changes_by_conv;"
    "ALTER TABLE changes DROP COLUMN conv; DROP TABLE departed;";

// What the versions after v3 added (v6 delivery, v7 Platform API, v8 rich content, v9 sync log,
// v10 its blocks, v11 the changes of members by conversation):
// all new tables, so going back to v3 or earlier drops them.
const std::string kDropTablesAfterV3 =
    kUndoV11 +
    "DROP TABLE push_tokens; DROP TABLE webhooks;"
    "DROP TABLE delivery_events; DROP TABLE deliveries;"
    "DROP TABLE platform_dedup; DROP TABLE announcement_recipients;"
    "DROP TABLE announcements; DROP TABLE badges; DROP TABLE blocks;"
    "DROP TABLE conversation_content; DROP TABLE content;"
    "DROP TABLE sync_blocks; DROP TABLE sync_seq;";

// Runs `sql` on the closed database at `path`.
void ExecOn(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// Runs `sql` on the closed database at `path` after dropping what came after v3.
void Downgrade(const std::string& path, const std::string& sql) {
  ExecOn(path, kDropTablesAfterV3 + sql);
}

// Turns the database back into schema v1, as the first release wrote it.
void DowngradeToV1(const std::string& path) {
  Downgrade(path,
            "DROP TABLE change_recipients;"
            "DROP INDEX hidden_messages_by_user;"
            "ALTER TABLE participants DROP COLUMN hidden_below;"
            "ALTER TABLE conversations DROP COLUMN message_count;"
            "PRAGMA user_version = 1;");
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

// Turns the database back into schema v3 (before the delivery, Platform API and content tables).
void DowngradeToV3(const std::string& path) { Downgrade(path, "PRAGMA user_version = 3;"); }

TEST_P(StoreConformance, AVersionThreeDatabaseGainsThePlatformTables) {
  if (GetParam().name != "SQLite") GTEST_SKIP() << "SQLite schema history";
  Conversation c = MakeConversation("alice", {"bob"});
  Send(c.id, "alice");
  Close();
  DowngradeToV3(location_ + "/relayer.db");
  Open();
  EXPECT_EQ(store().ListMessages(app_, U("bob"), c.id, Page{})->total, 1);
  ASSERT_TRUE(Write(BlockUserOp{app_, U("bob"), U("zed"), Now()}).status.ok());
  EXPECT_EQ(store().ListBlocks(app_, U("bob"))->size(), 1u);
  EXPECT_EQ(store().GetBadge(app_, U("bob"))->unread_message_count, 1);
  EXPECT_FALSE(store().FindDedup(app_, "k", Now())->has_value());
}

// A v9 database: the sync log as one row per entry, numbered by AUTOINCREMENT.
TEST_P(StoreConformance, AVersionNineSyncLogBecomesBlocksAndKeepsItsNumbers) {
  if (GetParam().name != "SQLite") GTEST_SKIP() << "SQLite schema history";
  Conversation c = MakeConversation("alice", {"bob"});
  Close();
  ExecOn(location_ + "/relayer.db",
         kUndoV11 +
             "DROP TABLE sync_blocks; DROP TABLE sync_seq;"
             "CREATE TABLE sync_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, app TEXT NOT NULL, "
             "ts INTEGER NOT NULL, actor TEXT NOT NULL, actor_is_user INTEGER NOT NULL, "
             "verb TEXT NOT NULL, object_id TEXT NOT NULL, conversation_id TEXT NOT NULL, "
             "detail TEXT NOT NULL DEFAULT '');"
             "INSERT INTO sync_log VALUES (7, '" +
             app_.str() + "', " + std::to_string(Now()) +
             ", 'alice', 1, "
             "'conversation_created', '" +
             c.id.str() + "', '" + c.id.str() +
             "', '');"
             "INSERT INTO sync_log VALUES (9, '" +
             app_.str() + "', " + std::to_string(Now()) +
             ", 'Bot \"x\"', 0, "
             "'message_created', 'm1', '" +
             c.id.str() +
             "', '{\"k\":1}');"
             "UPDATE sqlite_sequence SET seq = 40 WHERE name = 'sync_log';"
             "PRAGMA user_version = 9;");
  Open();
  const auto read = [this](SyncLogFilter f) {
    auto r = store().ListSyncLog(app_, f);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<SyncLogEntry>{};
  };
  auto log = read({});
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].seq, 9);
  EXPECT_EQ(log[0].actor.name, "Bot \"x\"");
  EXPECT_FALSE(log[0].actor.is_user);
  EXPECT_EQ(log[0].detail_json, "{\"k\":1}");
  EXPECT_EQ(log[1].seq, 7);
  EXPECT_EQ(log[1].verb, SyncVerb::kConversationCreated);
  // Numbering goes on after the highest number ever given out, not after the highest kept.
  WriteResult r = Write(MessageOp(c.id, "alice"));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.sync_log_seq, 41);
  SyncLogFilter by_bot;
  by_bot.actor = UserId("Bot \"x\"");
  EXPECT_EQ(read(by_bot).size(), 1u);
}

// A v10 database indexed every change by recipient; after v11 those changes still replay, and
// the member changes written from then on join them in commit order.
TEST_P(StoreConformance, AVersionTenChangeLogStillReplaysBesideNewMemberChanges) {
  if (GetParam().name != "SQLite") GTEST_SKIP() << "SQLite schema history";
  Conversation c = MakeConversation("alice", {"bob"});
  Message m = Send(c.id, "alice", "old");
  Receipt(m.id, "bob", ReceiptType::kRead);
  const auto bob_before = Changes("bob");
  ASSERT_EQ(bob_before.size(), 4u);  // created, message, receipt, unread count
  Close();
  ExecOn(location_ + "/relayer.db", kUndoV11 + "PRAGMA user_version = 10;");
  Open();
  auto bob = Changes("bob");
  ASSERT_EQ(bob.size(), bob_before.size());
  for (size_t i = 0; i < bob.size(); ++i) EXPECT_EQ(bob[i].seq, bob_before[i].seq);
  Message fresh = Send(c.id, "alice", "new");
  bob = Changes("bob");
  ASSERT_EQ(bob.size(), bob_before.size() + 1);
  EXPECT_EQ(bob.back().object_id, fresh.id.str());
  // Removed, bob still replays both, then its removal.
  PatchConversationOp remove{app_, c.id, U("alice"), {}, Now()};
  remove.patch.remove_participants.push_back(U("bob"));
  ASSERT_TRUE(Write(remove).status.ok());
  bob = Changes("bob");
  ASSERT_EQ(bob.size(), bob_before.size() + 2);
  EXPECT_EQ(bob[1].object_id, m.id.str());
  EXPECT_EQ(bob[4].object_id, fresh.id.str());
  EXPECT_EQ(bob[5].op, ChangeOp::kDelete);
}

}  // namespace
}  // namespace relayer::testing
