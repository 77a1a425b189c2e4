// The single writer: a queue of operations drained by one thread, which runs up to `max_batch`
// of them in one transaction (group commit), and calls their callbacks in submission order after
// COMMIT returned. A failed operation leaves nothing behind and fails no other: a batch in which
// one fails runs again with each operation in its own savepoint. Thread-safe; owns its
// connection.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/sqlite/db.h"
#include "store/store.h"

namespace relayer::sqlite {

class GroupCommitWriter {
 public:
  // Runs one operation inside the open transaction. A result with a non-ok status makes the
  // writer undo everything the operation wrote.
  using ApplyFn = std::function<WriteResult(Connection&, const WriteOp&)>;

  // Around each batch: `before_commit` runs after its last operation, inside the transaction (an
  // error fails the whole batch); `after_rollback` whenever the writer rolled a transaction back:
  // when a batch did not commit, and before a batch with a failed operation runs again.
  struct Hooks {
    std::function<Status(Connection&)> before_commit;
    std::function<void()> after_rollback;
  };
  // `linger`: how long a batch waits for more writes while the writer is under load (0: never).
  GroupCommitWriter(std::unique_ptr<Connection> db, size_t max_batch, ApplyFn apply,
                    std::chrono::microseconds linger = std::chrono::microseconds(0),
                    Hooks hooks = {});
  ~GroupCommitWriter();

  void Submit(WriteOp op, WriteCallback done);
  // Stops accepting operations, runs the queued ones and joins the thread. Idempotent.
  void Close();

  uint64_t commits() const { return commits_.load(); }
  uint64_t committed_ops() const { return ops_.load(); }
  uint64_t max_batch_seen() const { return max_batch_seen_.load(); }
  // Batches that had a failed operation without savepoints and ran again with them.
  uint64_t retried_batches() const { return retried_batches_.load(); }

 private:
  struct Item {
    WriteOp op;
    WriteCallback done;
  };

  void Run();
  void RunBatch(std::deque<Item>& batch);
  WriteResult ApplyOne(const WriteOp& op);
  WriteResult ApplyInSavepoint(const WriteOp& op, Status& fatal);
  // Appends each operation's result; false at the first that failed (the transaction then holds
  // part of its writes and must be rolled back).
  bool ApplyWithoutSavepoints(std::deque<Item>& batch, std::vector<WriteResult>& results);

  std::unique_ptr<Connection> db_;
  const size_t max_batch_;
  const std::chrono::microseconds linger_;
  ApplyFn apply_;
  Hooks hooks_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  size_t last_batch_ = 0;   // writes in the previous batch (guarded by mu_)
  bool lingering_ = false;  // the writer waits for a batch to fill (guarded by mu_)
  bool closing_ = false;
  bool savepoints_next_ = false;  // the last batch had a failed operation (writer thread only)
  std::once_flag joined_;
  std::thread thread_;

  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> ops_{0};
  std::atomic<uint64_t> max_batch_seen_{0};
  std::atomic<uint64_t> retried_batches_{0};
};

}  // namespace relayer::sqlite
