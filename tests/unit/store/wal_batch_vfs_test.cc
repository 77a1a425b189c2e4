// The WAL-gathering VFS under the SQLite store's connections: large commits, readers on other
// connections, reopening, and checkpoints.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "store/sqlite/db.h"
#include "store/sqlite/schema.h"
#include "unit/store/temp_db.h"

namespace relayer::sqlite {
namespace {

class WalBatchVfs : public ::testing::Test {
 protected:
  std::unique_ptr<Connection> Open() { return db_.Open(); }

  relayer::testing::TempDb db_{"relayer-vfs"};
  const std::string& path_ = db_.path();
};

// Blobs of `kb` KB, with their length in the first bytes so a read checks itself.
std::string Blob(int n, int kb) { return std::to_string(n) + std::string(kb * 1024, 'a' + n % 26); }

TEST_F(WalBatchVfs, CommitLargerThanOneWriteIsReadBackByAnotherConnection) {
  auto writer = Open();
  ASSERT_TRUE(writer->Execute("CREATE TABLE t (n INTEGER PRIMARY KEY, b TEXT)").ok());
  // One transaction of ~5 MB: more than the buffer holds (4 MB), and far more than the unix VFS
  // writes in one call (128 KB).
  ASSERT_TRUE(writer->Execute("BEGIN").ok());
  for (int i = 0; i < 50; ++i) {
    auto q = writer->Prepare("INSERT INTO t (n, b) VALUES (?1, ?2)");
    q.Bind(1, int64_t{i}).Bind(2, Blob(i, 100));
    ASSERT_TRUE(q.Exec().ok()) << q.status().message();
  }
  ASSERT_TRUE(writer->Execute("COMMIT").ok()) << writer->ErrorMessage();

  auto reader = Open();
  for (int i = 0; i < 50; ++i) {
    auto q = reader->Prepare("SELECT b FROM t WHERE n = ?1");
    q.Bind(1, int64_t{i});
    ASSERT_TRUE(q.Next()) << i;
    EXPECT_EQ(q.Text(0), Blob(i, 100)) << i;
  }
}

TEST_F(WalBatchVfs, ManySmallCommitsSurviveCheckpointAndReopen) {
  {
    auto writer = Open();
    ASSERT_TRUE(writer->Execute("CREATE TABLE t (n INTEGER PRIMARY KEY, b TEXT)").ok());
    for (int i = 0; i < 500; ++i) {
      auto q = writer->Prepare("INSERT INTO t (n, b) VALUES (?1, ?2)");
      q.Bind(1, int64_t{i}).Bind(2, Blob(i, 2));
      ASSERT_TRUE(q.Exec().ok()) << q.status().message();
      if (i == 250) {
        ASSERT_TRUE(writer->CheckpointPassive().ok());
      }
    }
  }
  EXPECT_GT(std::filesystem::file_size(path_), 500u * 1024);  // checkpointed into the file
  auto again = Open();
  auto q = again->Prepare("SELECT COUNT(*), SUM(LENGTH(b)) FROM t");
  ASSERT_TRUE(q.Next());
  EXPECT_EQ(q.Int(0), 500);
  int64_t bytes = 0;
  for (int i = 0; i < 500; ++i) bytes += static_cast<int64_t>(Blob(i, 2).size());
  EXPECT_EQ(q.Int(1), bytes);
}

TEST_F(WalBatchVfs, CommitHookReportsTheLogSize) {
  auto writer = Open();
  int last = -1, calls = 0;
  writer->OnWalCommit([&](int frames) {
    last = frames;
    ++calls;
  });
  ASSERT_TRUE(writer->Execute("CREATE TABLE t (n INTEGER PRIMARY KEY, b TEXT)").ok());
  const int before = last;
  ASSERT_TRUE(writer->Execute("INSERT INTO t (b) VALUES (hex(randomblob(20000)))").ok());
  EXPECT_EQ(calls, 2);
  EXPECT_GT(last, before + 5);  // 40 KB of text: at least ten more 4 KB pages in the log
  ASSERT_TRUE(writer->CheckpointPassive().ok());
}

}  // namespace
}  // namespace relayer::sqlite
