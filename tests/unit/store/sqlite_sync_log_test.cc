// The SQLite sync log's blocks (store/sqlite/sync_log.h): numbering, taking back the entries of a
// rolled-back operation, blocks of many entries, and filters that cross blocks.
#include <gtest/gtest.h>

#include <string>

#include "store/sqlite/db.h"
#include "store/sqlite/reads.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sync_log.h"
#include "unit/store/temp_db.h"

namespace relayer::sqlite {
namespace {

const AppId kApp("a0000000-0000-4000-8000-000000000001");
const AppId kOtherApp("a0000000-0000-4000-8000-000000000002");

class SqliteSyncLog : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.Open();
    ASSERT_TRUE(db_ != nullptr);
    ASSERT_TRUE(Migrate(*db_).ok());
  }
  void TearDown() override { db_.reset(); }

  static SyncLogEntry Entry(const std::string& actor, const std::string& conversation,
                            TimeMs ts = 1'000'000) {
    SyncLogEntry e;
    e.ts = ts;
    e.actor = SyncActor{true, actor};
    e.verb = SyncVerb::kMessageCreated;
    e.object_id = "m-" + actor;
    e.conversation_id = ConversationId(conversation);
    return e;
  }

  // Appends and flushes in one transaction, as the writer does around a batch.
  void Commit(const std::function<void()>& appends, const Limits& limits = NoRetention()) {
    ASSERT_TRUE(db_->Execute("BEGIN IMMEDIATE").ok());
    appends();
    ASSERT_TRUE(log_.Flush(*db_, limits).ok());
    ASSERT_TRUE(db_->Execute("COMMIT").ok());
  }

  int64_t Append(const AppId& app, SyncLogEntry e) {
    auto seq = log_.Append(*db_, app.str(), std::move(e));
    EXPECT_TRUE(seq.ok()) << seq.status().message();
    return seq.ok() ? *seq : -1;
  }

  std::vector<SyncLogEntry> Read(const AppId& app, SyncLogFilter f = {}) {
    auto r = ReadSyncLog(*db_, app, f);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<SyncLogEntry>{};
  }

  static Limits NoRetention() {
    Limits l;
    l.sync_log_max_rows = 0;
    l.sync_log_max_age_ms = 0;
    return l;
  }

  relayer::testing::TempDb dir_{"relayer-synclog"};
  std::unique_ptr<Connection> db_;
  SyncLogBuffer log_;
};

TEST_F(SqliteSyncLog, ARolledBackOperationsEntriesAndNumbersAreTakenBack) {
  Commit([&] {
    EXPECT_EQ(Append(kApp, Entry("alice", "c1")), 1);
    const size_t mark = log_.size();
    EXPECT_EQ(Append(kApp, Entry("mallory", "c1")), 2);
    EXPECT_EQ(Append(kApp, Entry("mallory", "c2")), 3);
    log_.Truncate(mark);
    EXPECT_EQ(Append(kApp, Entry("bob", "c1")), 2);
  });
  auto all = Read(kApp);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].actor.name, "bob");
  EXPECT_EQ(all[0].seq, 2);
  EXPECT_EQ(all[1].actor.name, "alice");
}

TEST_F(SqliteSyncLog, AfterARolledBackTransactionNumberingResumesFromTheDatabase) {
  Commit([&] { Append(kApp, Entry("alice", "c1")); });
  ASSERT_TRUE(db_->Execute("BEGIN IMMEDIATE").ok());
  EXPECT_EQ(Append(kApp, Entry("bob", "c1")), 2);
  ASSERT_TRUE(log_.Flush(*db_, NoRetention()).ok());
  ASSERT_TRUE(db_->Execute("ROLLBACK").ok());
  log_.Reset();
  Commit([&] { EXPECT_EQ(Append(kApp, Entry("carol", "c1")), 2); });
  auto all = Read(kApp);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].actor.name, "carol");
}

TEST_F(SqliteSyncLog, ABigCommitSpansBlocksAndPagesAndFiltersCrossThem) {
  const size_t n = 2 * kSyncBlockEntries + 10;
  Commit([&] {
    for (size_t i = 0; i < n; ++i) {
      Append(i % 2 ? kApp : kOtherApp, Entry(i % 3 ? "alice" : "bob", i % 5 ? "c1" : "c2",
                                             1'000'000 + static_cast<TimeMs>(i)));
    }
  });
  SyncLogFilter all;
  all.limit = 10'000;
  auto mine = Read(kApp, all);
  ASSERT_EQ(mine.size(), n / 2);
  for (size_t i = 1; i < mine.size(); ++i) EXPECT_LT(mine[i].seq, mine[i - 1].seq);
  EXPECT_EQ(Read(kOtherApp, all).size(), n / 2);

  // Newest first, a page at a time, across block boundaries, nothing skipped or repeated.
  SyncLogFilter page;
  page.limit = 100;
  std::vector<int64_t> paged;
  for (;;) {
    auto p = Read(kApp, page);
    if (p.empty()) break;
    for (const auto& e : p) paged.push_back(e.seq);
    page.before_seq = p.back().seq;
  }
  ASSERT_EQ(paged.size(), mine.size());
  for (size_t i = 0; i < paged.size(); ++i) EXPECT_EQ(paged[i], mine[i].seq);

  // Tailing forward from the middle.
  SyncLogFilter tail;
  tail.after_seq = mine[100].seq;
  tail.limit = 1000;
  auto t = Read(kApp, tail);
  ASSERT_EQ(t.size(), 100u);
  EXPECT_EQ(t.front().seq, mine[99].seq);
  EXPECT_EQ(t.back().seq, mine[0].seq);

  // Each filter gives exactly what a scan of every entry would.
  SyncLogFilter f;
  f.limit = 10'000;
  f.actor = UserId("bob");
  f.conversation = ConversationId("c2");
  f.from_ts = 1'000'100;
  f.to_ts = 1'000'400;
  size_t expected = 0;
  for (const auto& e : mine) {
    expected += e.actor.name == "bob" && e.conversation_id.str() == "c2" && e.ts >= f.from_ts &&
                e.ts < f.to_ts;
  }
  ASSERT_GT(expected, 0u);
  auto filtered = Read(kApp, f);
  EXPECT_EQ(filtered.size(), expected);
  for (const auto& e : filtered) {
    EXPECT_EQ(e.actor.name, "bob");
    EXPECT_EQ(e.conversation_id.str(), "c2");
  }
}

TEST_F(SqliteSyncLog, RetentionByRowsCutsInsideABlock) {
  Limits keep_ten = NoRetention();
  keep_ten.sync_log_max_rows = 10;
  Commit([&] {
    for (int i = 0; i < 25; ++i) Append(kApp, Entry("alice", "c1"));
  });
  Commit([&] { Append(kApp, Entry("bob", "c1")); }, keep_ten);
  SyncLogFilter all;
  all.limit = 100;
  auto kept = Read(kApp, all);
  ASSERT_EQ(kept.size(), 10u);
  EXPECT_EQ(kept.front().seq, 26);
  EXPECT_EQ(kept.back().seq, 17);
}

TEST_F(SqliteSyncLog, ABlockCutByRetentionKeepsEntriesOfVerbsThisVersionDoesNotKnow) {
  // Entries 1..20 in one block, as a newer version may write it: 15 has a verb unknown here.
  std::string entries = "[";
  for (int seq = 1; seq <= 20; ++seq) {
    if (seq > 1) entries += ',';
    entries += "[" + std::to_string(seq) + ",1000000,\"alice\",1,\"" +
               (seq == 15 ? "future_verb" : "message_created") + "\",\"m\",\"c1\",\"\"]";
  }
  entries += "]";
  auto q = db_->Prepare(
      "INSERT INTO sync_blocks (last_seq, first_seq, app, min_ts, max_ts, entries) "
      "VALUES (20, 1, ?1, 1000000, 1000000, ?2)");
  q.Bind(1, kApp.str()).Bind(2, entries);
  ASSERT_TRUE(q.Exec().ok());
  ASSERT_TRUE(db_->Execute("UPDATE sync_seq SET last = 20").ok());

  Limits keep_ten = NoRetention();
  keep_ten.sync_log_max_rows = 10;
  Commit([&] { EXPECT_EQ(Append(kApp, Entry("bob", "c1")), 21); }, keep_ten);
  SyncLogFilter all;
  all.limit = 100;
  auto kept = Read(kApp, all);
  ASSERT_EQ(kept.size(), 9u);  // 12..21 without the unknown 15
  EXPECT_EQ(kept.back().seq, 12);
  auto text = db_->Prepare("SELECT count(*) FROM sync_blocks WHERE instr(entries, 'future_verb')");
  ASSERT_TRUE(text.Next());
  EXPECT_EQ(text.Int(0), 1);
}

}  // namespace
}  // namespace relayer::sqlite
