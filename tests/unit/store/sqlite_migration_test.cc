// Databases written by an older Relayer open with their data intact: the schema migrations run
// on start and backfill what later versions keep (message counts, the per-user change index).
#include <sqlite3.h>

#include "store/sqlite/schema.h"
#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

// Undoes v12 as a v11 Relayer would have written the same data: changes numbered by
// AUTOINCREMENT and indexed by time again, no marks.
const std::string kUndoV12 =
    "DROP TABLE change_marks; DROP TRIGGER participants_departed;"
    "CREATE TABLE changes_v11 (seq INTEGER PRIMARY KEY AUTOINCREMENT, app TEXT NOT NULL,"
    " ts INTEGER NOT NULL, op INTEGER NOT NULL, type INTEGER NOT NULL,"
    " object_id TEXT NOT NULL, conversation_id TEXT NOT NULL, recipients TEXT NOT NULL,"
    " data TEXT NOT NULL, conv INTEGER);"
    "INSERT INTO changes_v11 SELECT * FROM changes; DROP TABLE changes;"
    "ALTER TABLE changes_v11 RENAME TO changes;"
    "CREATE INDEX changes_by_ts ON changes (app, ts);"
    "CREATE INDEX changes_by_conv ON changes (conv) WHERE conv IS NOT NULL;"
    "CREATE TRIGGER participants_departed AFTER DELETE ON participants BEGIN"
    " INSERT INTO departed (app, user_id, conv, left_seq)"
    " SELECT v.app, OLD.user_id, OLD.conv, (SELECT COALESCE(MAX(seq), 0) FROM changes)"
    " FROM conversations v WHERE v.rowid = OLD.conv"
    " ON CONFLICT (app, user_id, conv) DO UPDATE SET left_seq = excluded.left_seq; END;";

// Undoes v12, then v11 as a v10 Relayer would have written the same data: member changes indexed
// by recipient again, no conversation index, no departures.
const std::string kUndoV11 =
    kUndoV12 +
    "INSERT OR IGNORE INTO change_recipients (app, user_id, seq) "
    "SELECT c.app, r.value, c.seq FROM changes c, json_each(c.recipients) r "
    "WHERE c.conv IS NOT NULL;"
    "DROP TRIGGER participants_departed; DROP INDEX changes_by_conv;"
    "ALTER TABLE changes DROP COLUMN conv; DROP TABLE departed;";

// What the versions after v3 added (v6 delivery, v7 Platform API, v8 rich content, v9 sync log,
// v10 its blocks, v11 the changes of members by conversation, v12 the marks of changes by time):
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

// The (minute, seq) rows of change_marks for `app`, in minute order, read beside the store.
std::vector<std::pair<int64_t, int64_t>> Marks(const std::string& path, const AppId& app) {
  std::vector<std::pair<int64_t, int64_t>> rows;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  EXPECT_EQ(
      sqlite3_prepare_v2(db, "SELECT minute, seq FROM change_marks WHERE app = ?1 ORDER BY minute",
                         -1, &q, nullptr),
      SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_bind_text(q, 1, app.str().c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(q) == SQLITE_ROW)
    rows.emplace_back(sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1));
  sqlite3_finalize(q);
  sqlite3_close(db);
  return rows;
}

// The one integer `sql` reads from the database at `path` (-1 when it reads none).
int64_t Scalar(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  const int64_t value = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
  sqlite3_finalize(q);
  sqlite3_close(db);
  return value;
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

// A replay from a time starts at a mark (schema v12): the app's first change logged in each
// minute later than the one before. A change stamped in an earlier minute but committed later
// sets none; another app has marks of its own.
TEST_P(StoreConformance, EachAppsFirstChangeOfALaterMinuteIsMarked) {
  if (GetParam().name != "SQLite") GTEST_SKIP() << "SQLite schema";
  const std::string path = location_ + "/relayer.db";
  Conversation c = MakeConversation("alice", {"bob"});
  const TimeMs base = now_;  // MessageOp moves now_ on
  const int64_t minute = sqlite::ChangeMarkMinute(base);
  const std::vector<int64_t> seqs = SendStamped(
      c.id, "alice", {base + 10, base + 61'000, base + 20, base + 62'000, base + 125'000});
  const auto created = Changes("alice");
  ASSERT_FALSE(created.empty());
  const int64_t first = created.front().seq;  // the conversation's creation, in this minute
  using Rows = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(Marks(path, app_),
            (Rows{{minute, first}, {minute + 1, seqs[1]}, {minute + 2, seqs[4]}}));
  EXPECT_TRUE(Marks(path, AppId("a0000000-0000-4000-8000-000000000002")).empty());
  // Replays from each minute find what was stamped from then on, and what came after it.
  auto from = store().ChangesFor(app_, U("bob"), 0, base + 125'000, 100);
  ASSERT_TRUE(from.ok());
  ASSERT_EQ(from->size(), 1u);
  EXPECT_EQ(from->at(0).seq, seqs[4]);
  from = store().ChangesFor(app_, U("bob"), 0, base + 61'000, 100);
  ASSERT_TRUE(from.ok());
  ASSERT_EQ(from->size(), 4u);  // stamped in the next minute, and all committed after it
  EXPECT_EQ(from->at(0).seq, seqs[1]);
}

// A v11 database numbered changes by AUTOINCREMENT and indexed every change by time; v12 rebuilds
// the table without either, marks each minute's first change of what is there, and replays from
// a time return what they returned before.
TEST_P(StoreConformance, AVersionElevenChangeLogGetsItsMarks) {
  if (GetParam().name != "SQLite") GTEST_SKIP() << "SQLite schema history";
  const std::string path = location_ + "/relayer.db";
  Conversation c = MakeConversation("alice", {"bob"});
  const TimeMs base = now_;  // MessageOp moves now_ on
  const int64_t minute = sqlite::ChangeMarkMinute(base);
  const std::vector<int64_t> seqs =
      SendStamped(c.id, "alice", {base + 61'000, base + 5, base + 130'000, base + 131'000});
  auto before = store().ChangesFor(app_, U("bob"), 0, base + 61'000, 100);
  ASSERT_TRUE(before.ok());
  Close();
  ExecOn(path, kUndoV12 + "PRAGMA user_version = 11;");
  Open();
  // The first of each minute: the stamp in the first minute committed second is its smallest.
  const int64_t first = Changes("alice").front().seq;
  using Rows = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(Marks(path, app_),
            (Rows{{minute, first}, {minute + 1, seqs[0]}, {minute + 2, seqs[2]}}));
  auto after = store().ChangesFor(app_, U("bob"), 0, base + 61'000, 100);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), before->size());
  for (size_t i = 0; i < after->size(); ++i) EXPECT_EQ(after->at(i).seq, before->at(i).seq);
  EXPECT_EQ(Scalar(path, "SELECT count(*) FROM sqlite_sequence WHERE name = 'changes'"), 0);
  EXPECT_EQ(Scalar(path,
                   "SELECT instr(sql, 'AUTOINCREMENT') FROM sqlite_schema "
                   "WHERE name = 'changes'"),
            0);
  // New changes are numbered after the last and go on from the marks the migration left.
  CreateMessageOp op = MessageOp(c.id, "alice");
  op.now = base + 190'000;
  WriteResult r = Write(op);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.changes.at(0).seq, seqs.back() + 1);
  EXPECT_EQ(Marks(path, app_).back(), std::make_pair(minute + 3, r.changes.at(0).seq));
  // Removing bob still notes his departure at the last change (the trigger was rebuilt).
  PatchConversationOp remove{app_, c.id, U("alice"), {}, Now()};
  remove.patch.remove_participants.push_back(U("bob"));
  ASSERT_TRUE(Write(remove).status.ok());
  auto bob = Changes("bob");
  ASSERT_FALSE(bob.empty());
  EXPECT_EQ(bob.back().op, ChangeOp::kDelete);
  EXPECT_EQ(Scalar(path, "SELECT count(*) FROM departed"), 1);
}

}  // namespace
}  // namespace relayer::testing
