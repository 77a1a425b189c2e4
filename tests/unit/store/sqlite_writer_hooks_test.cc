// The group-commit writer's hooks around a batch (store/sqlite/writer.h): before_commit runs
// inside the batch's transaction and its error fails every write of the batch; after_rollback
// runs when a batch did not commit, and only then.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <variant>
#include <vector>

#include "store/sqlite/writer.h"
#include "unit/store/temp_db.h"

namespace relayer::sqlite {
namespace {

int64_t Count(Connection& db, const char* table) {
  auto q = db.Prepare(std::string("SELECT count(*) FROM ") + table);
  return q.Next() ? q.Int(0) : -1;
}

class WriterHooks : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = dir_.Open();
    ASSERT_TRUE(db != nullptr);
    ASSERT_TRUE(db->Execute("CREATE TABLE ops (n INTEGER); CREATE TABLE hooked (n INTEGER)").ok());
  }

  // Every write inserts a row into `ops`; the hook into `hooked`, after checking that it sees
  // the batch's rows, or fails when `fail_` is set.
  std::unique_ptr<GroupCommitWriter> Writer() {
    GroupCommitWriter::Hooks hooks{[this](Connection& db) {
                                     seen_in_transaction_ = Count(db, "ops");
                                     if (fail_) return Internal("hook failed");
                                     return db.Execute("INSERT INTO hooked VALUES (1)");
                                   },
                                   [this] { ++rollbacks_; }};
    return std::make_unique<GroupCommitWriter>(
        dir_.Open(), 100,
        [](Connection& db, const WriteOp&) {
          WriteResult r;
          r.status = db.Execute("INSERT INTO ops VALUES (1)");
          return r;
        },
        std::chrono::microseconds(0), std::move(hooks));
  }

  WriteResult Write(GroupCommitWriter& w) {
    std::promise<WriteResult> p;
    w.Submit(CreateNonceOp{}, [&p](WriteResult r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  relayer::testing::TempDb dir_{"relayer-writer-hooks"};
  bool fail_ = false;
  std::atomic<int64_t> seen_in_transaction_{-1};
  std::atomic<int> rollbacks_{0};
};

TEST_F(WriterHooks, BeforeCommitRunsInTheBatchsTransaction) {
  auto w = Writer();
  EXPECT_TRUE(Write(*w).status.ok());
  EXPECT_TRUE(Write(*w).status.ok());
  w->Close();
  EXPECT_EQ(seen_in_transaction_.load(), 2);  // the second batch saw the first's row and its own
  auto db = dir_.Open();
  EXPECT_EQ(Count(*db, "ops"), 2);
  EXPECT_EQ(Count(*db, "hooked"), 2);  // once per batch, committed with it
  EXPECT_EQ(rollbacks_.load(), 0);
}

TEST_F(WriterHooks, ABeforeCommitErrorFailsTheBatchAndRunsAfterRollback) {
  fail_ = true;
  auto w = Writer();
  WriteResult r = Write(*w);
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("hook failed"), std::string::npos) << r.status.message();
  EXPECT_EQ(seen_in_transaction_.load(), 1);
  w->Close();
  EXPECT_EQ(rollbacks_.load(), 1);
  auto db = dir_.Open();
  EXPECT_EQ(Count(*db, "ops"), 0);  // the write's row went with the transaction
  EXPECT_EQ(Count(*db, "hooked"), 0);
}

// Writes that insert their `now` into `ops`, and fail after inserting when `now` is negative: what
// a failed write wrote must go, whether or not the writer had a savepoint around it.
class WriterRetries : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = dir_.Open();
    ASSERT_TRUE(db != nullptr);
    ASSERT_TRUE(db->Execute("CREATE TABLE ops (n INTEGER)").ok());
    writer_ = std::make_unique<GroupCommitWriter>(
        dir_.Open(), 100,
        [](Connection& db, const WriteOp& op) {
          const TimeMs n = std::get<CreateNonceOp>(op).now;
          WriteResult r;
          auto q = db.Prepare("INSERT INTO ops VALUES (?1)");
          q.Bind(1, n);
          r.status = q.Exec();
          if (r.status.ok() && n < 0) r.status = InvalidProperty("n", "negative");
          return r;
        },
        std::chrono::microseconds(0), GroupCommitWriter::Hooks{nullptr, [this] { ++rollbacks_; }});
  }

  // Submits writes numbered `ns` as one batch: the first write's callback holds the writer until
  // all the others are queued behind it. Returns the results of the batch.
  std::vector<WriteResult> Batch(const std::vector<TimeMs>& ns) {
    std::promise<void> held, release;
    std::vector<std::promise<WriteResult>> results(ns.size());
    CreateNonceOp first;
    first.now = 1000;
    writer_->Submit(first, [&](WriteResult) {
      held.set_value();
      release.get_future().wait();
    });
    held.get_future().wait();
    for (size_t i = 0; i < ns.size(); ++i) {
      CreateNonceOp op;
      op.now = ns[i];
      writer_->Submit(op, [&results, i](WriteResult r) { results[i].set_value(std::move(r)); });
    }
    release.set_value();
    std::vector<WriteResult> out;
    for (auto& r : results) out.push_back(r.get_future().get());
    return out;
  }

  WriteResult Write(TimeMs n) {
    std::promise<WriteResult> p;
    CreateNonceOp op;
    op.now = n;
    writer_->Submit(op, [&p](WriteResult r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  std::vector<int64_t> Rows() {
    auto db = dir_.Open();
    std::vector<int64_t> rows;
    auto q = db->Prepare("SELECT n FROM ops WHERE n < 1000 ORDER BY rowid");
    while (q.Next()) rows.push_back(q.Int(0));
    return rows;
  }

  relayer::testing::TempDb dir_{"relayer-writer-retries"};
  std::unique_ptr<GroupCommitWriter> writer_;
  std::atomic<int> rollbacks_{0};
};

TEST_F(WriterRetries, ABatchWithoutFailuresRunsOnce) {
  auto r = Batch({1, 2, 3});
  for (const auto& w : r) EXPECT_TRUE(w.status.ok()) << w.status.message();
  EXPECT_EQ(writer_->retried_batches(), 0u);
  EXPECT_EQ(rollbacks_.load(), 0);
  EXPECT_EQ(Rows(), (std::vector<int64_t>{1, 2, 3}));
}

TEST_F(WriterRetries, AFailedWriteLeavesNothingAndTheOthersCommitTogether) {
  const uint64_t commits_before = writer_->commits();
  auto r = Batch({1, -2, 3});
  EXPECT_TRUE(r[0].status.ok());
  EXPECT_EQ(r[1].status.code(), ErrorCode::kInvalidProperty);
  EXPECT_TRUE(r[2].status.ok());
  EXPECT_EQ(writer_->retried_batches(), 1u);  // rolled back whole, then run with savepoints
  EXPECT_EQ(rollbacks_.load(), 1);            // and the store's caches were told
  EXPECT_EQ(writer_->commits() - commits_before, 2u);  // the holding write's batch, then this one
  EXPECT_EQ(Rows(), (std::vector<int64_t>{1, 3}));
}

TEST_F(WriterRetries, AfterAFailureTheNextBatchTakesSavepointsAtOnce) {
  Batch({-1, 2});
  EXPECT_EQ(writer_->retried_batches(), 1u);
  // A batch after a failure runs with savepoints from the start: failing again costs no second
  // run; one without failures sends the writer back to running batches without them.
  EXPECT_EQ(Write(-3).status.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(writer_->retried_batches(), 1u);
  EXPECT_TRUE(Write(4).status.ok());
  EXPECT_TRUE(Write(5).status.ok());
  EXPECT_EQ(Write(-6).status.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(writer_->retried_batches(), 2u);
  EXPECT_EQ(Rows(), (std::vector<int64_t>{2, 4, 5}));
}

}  // namespace
}  // namespace relayer::sqlite
