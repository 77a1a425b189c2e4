// The page cache wrapper under every connection (store/sqlite/page_cache.h): commits after page
// splits leave SQLite's cache alone, and a rolled back transaction still drops its new pages.
#include <gtest/gtest.h>

#include <string>

#include "store/sqlite/db.h"
#include "store/sqlite/page_cache.h"
#include "unit/store/temp_db.h"

namespace relayer::sqlite {
namespace {

// Keys spread over the whole index, so inserts split pages in its middle (the splits that swap
// page numbers through the lock byte's slot).
std::string Key(int i) {
  const uint32_t h = static_cast<uint32_t>(i) * 2654435761u;
  return std::to_string(h) + "-" + std::string(60, 'k');
}

void InsertRange(Connection& db, int from, int to) {
  for (int i = from; i < to; ++i) {
    auto q = db.Prepare("INSERT INTO t (k, v) VALUES (?1, ?2)");
    q.Bind(1, Key(i)).Bind(2, int64_t{i});
    ASSERT_TRUE(q.Exec().ok()) << q.status().message();
  }
}

int64_t Count(Connection& db) {
  auto q = db.Prepare("SELECT COUNT(*) FROM t");
  return q.Next() ? q.Int(0) : -1;
}

std::string IntegrityCheck(Connection& db) {
  auto q = db.Prepare("PRAGMA integrity_check");
  return q.Next() ? q.Text(0) : q.status().message();
}

TEST(PageCache, CommitsAfterPageSplitsDoNotReachSqlitesCache) {
  relayer::testing::TempDb tmp("relayer-pcache");
  auto db = tmp.Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Execute("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID").ok());
  const PageCacheStats before = GetPageCacheStats();
  constexpr int kCommits = 200;
  for (int c = 0; c < kCommits; ++c) {
    ASSERT_TRUE(db->Execute("BEGIN").ok());
    InsertRange(*db, c * 50, (c + 1) * 50);
    ASSERT_TRUE(db->Execute("COMMIT").ok()) << db->ErrorMessage();
  }
  const PageCacheStats after = GetPageCacheStats();
  // SQLite asks at the end of every transaction; almost none of those asks hold a page to drop
  // (without the wrapper, each one after a split walked the whole cache).
  EXPECT_GE(after.truncates - before.truncates, uint64_t{kCommits});
  EXPECT_LT(after.forwarded - before.forwarded, uint64_t{kCommits / 10});
  EXPECT_EQ(Count(*db), kCommits * 50);
  EXPECT_EQ(IntegrityCheck(*db), "ok");
}

TEST(PageCache, ARolledBackGrowthIsDroppedAndTheTableReadsAsBefore) {
  relayer::testing::TempDb tmp("relayer-pcache");
  auto db = tmp.Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Execute("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID").ok());
  ASSERT_TRUE(db->Execute("BEGIN").ok());
  InsertRange(*db, 0, 2000);
  ASSERT_TRUE(db->Execute("COMMIT").ok());

  const PageCacheStats before = GetPageCacheStats();
  ASSERT_TRUE(db->Execute("BEGIN").ok());
  InsertRange(*db, 2000, 6000);  // grows the file by hundreds of pages
  ASSERT_TRUE(db->Execute("ROLLBACK").ok());
  // The pages past the old end reached SQLite's cache to be dropped.
  EXPECT_GT(GetPageCacheStats().forwarded, before.forwarded);
  EXPECT_EQ(Count(*db), 2000);
  EXPECT_EQ(IntegrityCheck(*db), "ok");

  // The same page numbers, allocated again, hold the new rows only.
  ASSERT_TRUE(db->Execute("BEGIN").ok());
  InsertRange(*db, 6000, 9000);
  ASSERT_TRUE(db->Execute("COMMIT").ok());
  EXPECT_EQ(Count(*db), 5000);
  EXPECT_EQ(IntegrityCheck(*db), "ok");
  auto reader = tmp.Open();
  ASSERT_TRUE(reader);
  EXPECT_EQ(Count(*reader), 5000);
  auto q = reader->Prepare("SELECT COUNT(*) FROM t WHERE v >= 2000 AND v < 6000");
  ASSERT_TRUE(q.Next());
  EXPECT_EQ(q.Int(0), 0);
}

}  // namespace
}  // namespace relayer::sqlite
