// When the write-ahead log is copied back, and by whom: few passes, each copying many frames, and
// a log that starts again from its beginning.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/sqlite/checkpointer.h"
#include "store/sqlite/schema.h"
#include "unit/store/temp_db.h"

namespace relayer::sqlite {
namespace {

TEST(NextCheckpointStep, NothingBelowTheThreshold) {
  EXPECT_EQ(NextCheckpointStep(4095, 0, 4096, false), CheckpointStep::kNone);
  EXPECT_EQ(NextCheckpointStep(0, 0, 4096, false), CheckpointStep::kNone);
}

TEST(NextCheckpointStep, ManyFramesLeftGoToTheBackground) {
  EXPECT_EQ(NextCheckpointStep(4096, 0, 4096, false), CheckpointStep::kBackground);
  EXPECT_EQ(NextCheckpointStep(5000, 5000 - kMinPass, 4096, false), CheckpointStep::kBackground);
  // Even after the writer's own pass fell short.
  EXPECT_EQ(NextCheckpointStep(5000, 5000 - kMinPass, 4096, true), CheckpointStep::kBackground);
}

TEST(NextCheckpointStep, AFewFramesLeftAreCopiedByTheWriterUnlessItsLastTryFellShort) {
  EXPECT_EQ(NextCheckpointStep(5000, 5000 - kMinPass + 1, 4096, false), CheckpointStep::kHere);
  EXPECT_EQ(NextCheckpointStep(5000, 4990, 4096, false), CheckpointStep::kHere);
  EXPECT_EQ(NextCheckpointStep(5000, 4990, 4096, true), CheckpointStep::kNone);
}

TEST(NextCheckpointStep, ACountFromBeforeARestartMeansNothingIsCopied) {
  // 6,000 were copied of the log before; this one restarted and holds 4,200.
  EXPECT_EQ(NextCheckpointStep(4200, 6000, 4096, false), CheckpointStep::kBackground);
}

// A writer committing back to back, as the group-commit writer does under load, with the
// checkpointer on its hook. Each commit dirties a few pages, a small part of the threshold (as in
// S1: ~25 frames of 4,096).
class CheckpointerOnAFile : public ::testing::Test {
 protected:
  relayer::testing::TempDb db_{"relayer-ckpt"};
};

TEST_F(CheckpointerOnAFile, FewPassesCopyTheLogAndItStartsAgain) {
  constexpr int kThreshold = 1024;
  auto writer = db_.Open();
  ASSERT_TRUE(ConfigureConnection(*writer).ok());
  ASSERT_TRUE(writer->Execute("CREATE TABLE t (n INTEGER PRIMARY KEY, b TEXT)").ok());
  auto background = db_.Open();
  ASSERT_TRUE(ConfigureConnection(*background).ok());
  std::vector<int> frames;
  {
    // At normal priority: at SCHED_IDLE the copies wait for an idle core, and the tests run
    // beside others on a busy one.
    Checkpointer checkpointer(std::move(background), kThreshold, /*idle_priority=*/false);
    writer->OnWalCommit([&](int f) {
      frames.push_back(f);
      checkpointer.Committed(f, *writer);
    });
    constexpr int kCommits = 2000;
    for (int i = 0; i < kCommits; ++i) {
      ASSERT_TRUE(writer->Execute("BEGIN").ok());
      for (int j = 0; j < 2; ++j) {
        auto q = writer->Prepare("INSERT INTO t (n, b) VALUES (?1, ?2)");
        // Keys spread over the table, so that each commit writes pages of its own.
        q.Bind(1, int64_t{(j * 7919 + i * 104729) % 1000003}).Bind(2, std::string(1000, 'x'));
        ASSERT_TRUE(q.Exec().ok()) << q.status().message();
      }
      ASSERT_TRUE(writer->Execute("COMMIT").ok()) << writer->ErrorMessage();
    }
    writer->OnWalCommit([](int) {});
    const auto stats = checkpointer.stats();
    int past_threshold = 0, restarts = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
      if (frames[i] >= kThreshold) past_threshold++;
      if (i > 0 && frames[i] < frames[i - 1]) restarts++;
    }
    ASSERT_GT(past_threshold, 0) << "the test must take the log past its threshold";
    // The writer finished logs itself, and they started again from their beginning.
    EXPECT_GE(stats.writer_passes, 1);
    EXPECT_GE(restarts, 3) << "the log never started again";
    // A few passes per log (a pass per commit past the threshold before: tens per log here).
    EXPECT_LE(stats.background_passes + stats.writer_passes, 10 * (restarts + 1))
        << stats.background_passes << " background, " << stats.writer_passes << " writer's";
  }
  // Everything is there after the copies.
  writer.reset();
  auto reader = db_.Open();
  auto q = reader->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(q.Next());
  EXPECT_GT(q.Int(0), 3900);
}

}  // namespace
}  // namespace relayer::sqlite
