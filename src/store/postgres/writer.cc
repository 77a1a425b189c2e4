#include "store/postgres/writer.h"

#include <chrono>
#include <exception>
#include <random>

namespace relayer::pg {
namespace {

WriteResult Failed(Status status) {
  WriteResult r;
  r.status = std::move(status);
  return r;
}

// A short random pause before running a batch again, so that two nodes that deadlocked do not
// meet again in the same order.
void Backoff(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  const int cap_ms = 1 << (attempt < 6 ? attempt : 6);
  std::this_thread::sleep_for(std::chrono::milliseconds(rng() % (cap_ms + 1)));
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(std::string conninfo, std::unique_ptr<Connection> db,
                                     size_t max_batch, ApplyFn apply)
    : conninfo_(std::move(conninfo)),
      db_(std::move(db)),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      apply_(std::move(apply)) {
  thread_ = std::thread([this] { Run(); });
}

GroupCommitWriter::~GroupCommitWriter() { Close(); }

void GroupCommitWriter::Submit(WriteOp op, WriteCallback done) {
  {
    std::lock_guard lock(mu_);
    if (!closing_) {
      queue_.push_back(Item{std::move(op), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(Failed(Status(ErrorCode::kServiceUnavailable, "store is closed")));
}

void GroupCommitWriter::Close() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    cv_.notify_one();
  }
  // A callback may close the store from the writer thread itself; it cannot join itself.
  if (std::this_thread::get_id() == thread_.get_id()) return;
  std::call_once(joined_, [this] {
    if (thread_.joinable()) thread_.join();
  });
}

void GroupCommitWriter::Run() {
  for (;;) {
    std::deque<Item> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and everything queued has run
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
  }
}

Status GroupCommitWriter::EnsureConnected() {
  if (db_ && db_->alive()) return Status::Ok();
  db_.reset();
  auto db = Connection::Open(conninfo_, 5);
  if (!db.ok()) return db.status();
  db_ = std::move(db).value();
  return Status::Ok();
}

WriteResult GroupCommitWriter::ApplyInSavepoint(const WriteOp& op, Status& fatal, bool& retry) {
  if (Status s = db_->Execute("SAVEPOINT op"); !s.ok()) {
    fatal = s;
    retry = db_->last_failure_retryable() || !db_->alive();
    return Failed(s);
  }
  WriteResult result;
  try {
    result = apply_(*db_, op);
  } catch (const std::exception& e) {  // e.g. bad_alloc or a JSON library error
    result = Failed(Internal(std::string("write failed: ") + e.what()));
  }
  if (!result.status.ok()) {
    // A deadlock or a lost connection is no verdict on the operation: the batch runs again.
    if (db_->last_failure_retryable() || !db_->alive()) {
      fatal = result.status;
      retry = true;
      return result;
    }
    result.changes.clear();  // nothing of a failed operation is written
    if (Status s = db_->Execute("ROLLBACK TO SAVEPOINT op"); !s.ok()) fatal = s;
  }
  if (fatal.ok()) {
    if (Status s = db_->Execute("RELEASE SAVEPOINT op"); !s.ok()) fatal = s;
  }
  if (!fatal.ok()) retry = db_->last_failure_retryable() || !db_->alive();
  return result;
}

GroupCommitWriter::Attempt GroupCommitWriter::TryBatch(std::deque<Item>& batch,
                                                       std::vector<WriteResult>& results,
                                                       Status& failure) {
  results.clear();
  if (failure = EnsureConnected(); !failure.ok()) return Attempt::kFailed;
  if (failure = db_->Execute("BEGIN"); !failure.ok()) {
    return db_->alive() ? Attempt::kFailed : Attempt::kRetry;
  }
  bool retry = false;
  for (size_t i = 0; failure.ok() && i < batch.size(); ++i) {
    results.push_back(ApplyInSavepoint(batch[i].op, failure, retry));
  }
  if (!failure.ok()) {
    if (db_->alive()) (void)db_->Execute("ROLLBACK");
    return retry ? Attempt::kRetry : Attempt::kFailed;
  }
  failure = db_->Execute("COMMIT");
  if (failure.ok()) return Attempt::kCommitted;
  if (!db_->alive()) {
    // The server may have committed before the connection went: nobody can tell.
    failure =
        Status(ErrorCode::kServiceUnavailable,
               "postgres: connection lost during commit, outcome unknown: " + failure.message());
    return Attempt::kFailed;
  }
  // COMMIT itself can fail with a serialization failure (deferred checks).
  const bool again = db_->last_failure_retryable();
  (void)db_->Execute("ROLLBACK");
  return again ? Attempt::kRetry : Attempt::kFailed;
}

void GroupCommitWriter::RunBatch(std::deque<Item>& batch) {
  std::vector<WriteResult> results;
  results.reserve(batch.size());
  Status failure;
  Attempt outcome = Attempt::kFailed;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    outcome = TryBatch(batch, results, failure);
    if (outcome != Attempt::kRetry) break;
    retries_.fetch_add(1);
    Backoff(attempt);
  }
  if (outcome == Attempt::kCommitted) {
    commits_.fetch_add(1);
    ops_.fetch_add(batch.size());
    uint64_t seen = max_batch_seen_.load();
    while (batch.size() > seen && !max_batch_seen_.compare_exchange_weak(seen, batch.size())) {
    }
  } else {
    const ErrorCode code = failure.code() == ErrorCode::kServiceUnavailable
                               ? ErrorCode::kServiceUnavailable
                               : ErrorCode::kInternalServerError;
    results.assign(batch.size(), WriteResult{});
    for (WriteResult& r : results) r.status = Status(code, "commit failed: " + failure.message());
  }
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
}

}  // namespace relayer::pg
