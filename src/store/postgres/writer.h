// PgStore's writer: one thread and one connection per node, with group commit like SQLite's
// (store/sqlite/writer.h). The thread takes every queued operation (at most `max_batch`), runs
// them in ONE transaction, each inside its own SAVEPOINT (a failing operation is rolled back to
// its savepoint alone), commits, then calls the callbacks in submission order.
//
// Several nodes write the same database, so a batch can lose a deadlock (40P01) or a
// serialization failure (40001) to another node's transaction. The whole batch is then rolled back
// and run again from its first operation (up to kMaxAttempts times): operations are re-runnable
// because they build their results from the database state alone.
//
// A lost connection before COMMIT rolls the transaction back on the server: the writer reconnects
// and runs the batch again. A connection lost during COMMIT leaves the outcome unknown: the
// batch's operations fail with kServiceUnavailable (they may or may not have been written; the
// clients retry with their ids, which the operations treat as idempotent). When no connection can
// be made, operations fail with kServiceUnavailable until one can.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/postgres/connection.h"
#include "store/store.h"

namespace relayer::pg {

class GroupCommitWriter {
 public:
  // Runs one operation inside the open transaction. A result with a non-ok status makes the
  // writer roll the operation's savepoint back.
  using ApplyFn = std::function<WriteResult(Connection&, const WriteOp&)>;

  static constexpr int kMaxAttempts = 8;

  GroupCommitWriter(std::string conninfo, std::unique_ptr<Connection> db, size_t max_batch,
                    ApplyFn apply);
  ~GroupCommitWriter();

  void Submit(WriteOp op, WriteCallback done);
  // Stops accepting operations, runs the queued ones and joins the thread. Idempotent.
  void Close();

  uint64_t commits() const { return commits_.load(); }
  uint64_t committed_ops() const { return ops_.load(); }
  uint64_t max_batch_seen() const { return max_batch_seen_.load(); }
  uint64_t retries() const { return retries_.load(); }

 private:
  struct Item {
    WriteOp op;
    WriteCallback done;
  };
  // How one attempt at a batch ended.
  enum class Attempt { kCommitted, kRetry, kFailed };

  void Run();
  void RunBatch(std::deque<Item>& batch);
  Attempt TryBatch(std::deque<Item>& batch, std::vector<WriteResult>& results, Status& failure);
  WriteResult ApplyInSavepoint(const WriteOp& op, Status& fatal, bool& retry);
  Status EnsureConnected();

  const std::string conninfo_;
  std::unique_ptr<Connection> db_;
  const size_t max_batch_;
  ApplyFn apply_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool closing_ = false;
  std::once_flag joined_;
  std::thread thread_;

  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> ops_{0};
  std::atomic<uint64_t> max_batch_seen_{0};
  std::atomic<uint64_t> retries_{0};
};

}  // namespace relayer::pg
