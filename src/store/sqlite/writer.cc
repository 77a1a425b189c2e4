#include "store/sqlite/writer.h"

#include <algorithm>
#include <exception>

#include "store/batch_scope.h"

namespace relayer::sqlite {
namespace {

WriteResult Failed(Status status) {
  WriteResult r;
  r.status = std::move(status);
  return r;
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Connection> db, size_t max_batch,
                                     ApplyFn apply, std::chrono::microseconds linger, Hooks hooks)
    : db_(std::move(db)),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      linger_(linger),
      apply_(std::move(apply)),
      hooks_(std::move(hooks)) {
  thread_ = std::thread([this] { Run(); });
}

GroupCommitWriter::~GroupCommitWriter() { Close(); }

void GroupCommitWriter::Submit(WriteOp op, WriteCallback done) {
  {
    std::lock_guard lock(mu_);
    if (!closing_) {
      queue_.push_back(Item{std::move(op), std::move(done)});
      // While the writer lingers, only a full batch ends the wait early: waking it for every
      // write would cost a context switch each on a busy core.
      if (!lingering_ || queue_.size() >= max_batch_) cv_.notify_one();
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
      // Under load (the last batch held more than one write) wait a little for more: every
      // write of a batch shares its commit, its fsync and the pages they have in common. The wait
      // ends as soon as a quarter of it brings nothing new (callers that wait for their answers
      // before writing again are all in), or after `linger_`. A lone write commits at once.
      if (linger_.count() > 0 && last_batch_ > 1) {
        lingering_ = true;
        const auto deadline = std::chrono::steady_clock::now() + linger_;
        const auto full = [this] { return queue_.size() >= max_batch_ || closing_; };
        for (size_t seen = queue_.size(); !full();) {
          const auto slice = std::min(deadline, std::chrono::steady_clock::now() + linger_ / 4);
          cv_.wait_until(lock, slice, full);
          if (queue_.size() == seen || std::chrono::steady_clock::now() >= deadline) break;
          seen = queue_.size();
        }
        lingering_ = false;
      }
      // Whatever queued up while the previous batch committed goes into this one.
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      last_batch_ = batch.size();
    }
    RunBatch(batch);
  }
}

WriteResult GroupCommitWriter::ApplyOne(const WriteOp& op) {
  try {
    return apply_(*db_, op);
  } catch (const std::exception& e) {  // e.g. bad_alloc or a JSON library error
    return Failed(Internal(std::string("write failed: ") + e.what()));
  }
}

WriteResult GroupCommitWriter::ApplyInSavepoint(const WriteOp& op, Status& fatal) {
  if (Status s = db_->Prepare("SAVEPOINT op").Exec(); !s.ok()) {
    fatal = s;
    return Failed(s);
  }
  WriteResult result = ApplyOne(op);
  if (!result.status.ok()) {
    result.changes.clear();  // nothing of a failed operation is written
    if (Status s = db_->Prepare("ROLLBACK TO op").Exec(); !s.ok()) fatal = s;
  }
  if (Status s = db_->Prepare("RELEASE op").Exec(); !s.ok()) fatal = s;
  return result;
}

bool GroupCommitWriter::ApplyWithoutSavepoints(std::deque<Item>& batch,
                                               std::vector<WriteResult>& results) {
  for (Item& item : batch) {
    results.push_back(ApplyOne(item.op));
    if (!results.back().status.ok()) return false;
  }
  return true;
}

void GroupCommitWriter::RunBatch(std::deque<Item>& batch) {
  std::vector<WriteResult> results;
  results.reserve(batch.size());
  Status status = db_->Prepare("BEGIN IMMEDIATE").Exec();
  // A savepoint per operation copies every page the operation touches into the statement
  // journal, so that a failed one can be undone alone. Failures are rare: the batch first runs
  // without savepoints; at the first failure it is rolled back whole and runs again with them.
  // After a batch with a failure the next one takes savepoints from the start, so a stream of
  // failing writes costs what it always did, not twice that.
  bool done = false;
  if (status.ok() && !savepoints_next_) {
    done = ApplyWithoutSavepoints(batch, results);
    if (!done) {
      db_->Execute("ROLLBACK");
      if (hooks_.after_rollback) hooks_.after_rollback();
      results.clear();
      retried_batches_.fetch_add(1);
      status = db_->Prepare("BEGIN IMMEDIATE").Exec();
    }
  }
  if (!done) {
    bool any_failed = false;
    for (size_t i = 0; status.ok() && i < batch.size(); ++i) {
      results.push_back(ApplyInSavepoint(batch[i].op, status));
      any_failed = any_failed || !results.back().status.ok();
    }
    savepoints_next_ = any_failed;
  }
  if (status.ok() && hooks_.before_commit) {
    try {
      status = hooks_.before_commit(*db_);
    } catch (const std::exception& e) {
      status = Internal(std::string("write failed: ") + e.what());
    }
  }
  if (status.ok()) status = db_->Prepare("COMMIT").Exec();
  if (!status.ok()) {
    db_->Execute("ROLLBACK");
    if (hooks_.after_rollback) hooks_.after_rollback();
    results.assign(batch.size(), WriteResult{});
    for (WriteResult& r : results) {
      r.status = Internal("commit failed: " + status.message());
    }
  } else {
    commits_.fetch_add(1);
    ops_.fetch_add(batch.size());
    uint64_t seen = max_batch_seen_.load();
    while (batch.size() > seen && !max_batch_seen_.compare_exchange_weak(seen, batch.size())) {
    }
  }
  // One scope for the whole batch: callers gather what they hand on (server/async.h).
  BatchScope scope;
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
}

}  // namespace relayer::sqlite
