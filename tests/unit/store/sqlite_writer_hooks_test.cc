// The group-commit writer's hooks around a batch (store/sqlite/writer.h): before_commit runs
// inside the batch's transaction and its error fails every write of the batch; after_rollback
// runs when a batch did not commit, and only then.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
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

}  // namespace
}  // namespace relayer::sqlite
