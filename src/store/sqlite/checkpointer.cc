#include "store/sqlite/checkpointer.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

namespace relayer::sqlite {

CheckpointStep NextCheckpointStep(int frames, int copied, int threshold, bool here_failed) {
  if (frames < threshold) return CheckpointStep::kNone;
  int left = frames - copied;
  if (left < 0) left = frames;  // the log restarted and has grown past the old count since
  if (left >= kMinPass) return CheckpointStep::kBackground;
  if (here_failed) return CheckpointStep::kNone;  // wait for kMinPass more, then a background pass
  return CheckpointStep::kHere;
}

namespace {

void SetIdlePriority(bool idle) {
  sched_param param{};
  (void)pthread_setschedparam(pthread_self(), idle ? SCHED_IDLE : SCHED_OTHER, &param);
}

}  // namespace

Checkpointer::Checkpointer(std::unique_ptr<Connection> db, int threshold, bool idle_priority)
    : db_(std::move(db)),
      db_fd_(::open(db_->FileName().c_str(), O_RDONLY | O_CLOEXEC)),
      threshold_(threshold),
      idle_priority_(idle_priority),
      thread_([this] { Run(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
  if (db_fd_ >= 0) ::close(db_fd_);
}

void Checkpointer::Committed(int frames, Connection& writer) {
  if (frames < threshold_) {
    // A log this short has restarted since any pass: nothing of it is copied yet.
    copied_ = 0;
    here_failed_ = false;
    return;
  }
  if (const int background = background_copied_.exchange(-1); background >= 0) {
    copied_ = background;
    here_failed_ = false;
  }
  switch (NextCheckpointStep(frames, copied_, threshold_, here_failed_)) {
    case CheckpointStep::kNone:
      return;
    case CheckpointStep::kBackground: {
      {
        std::lock_guard lock(mu_);
        wanted_ = true;
        frames_ = frames;
      }
      cv_.notify_one();
      return;
    }
    case CheckpointStep::kHere: {
      writer_passes_++;
      auto done = writer.CheckpointPassive();
      if (done.ok() && done->copied >= 0) {
        copied_ = done->copied;
        here_failed_ = done->copied < done->log;
      } else {
        here_failed_ = true;  // busy (a background pass) or failed: leave it to the background
      }
      return;
    }
  }
}

void Checkpointer::Run() {
  bool idle = idle_priority_;
  if (idle) SetIdlePriority(idle);
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return wanted_ || stop_; });
    if (stop_) return;
    wanted_ = false;
    if (const bool want_idle = idle_priority_ && frames_ < kUrgentFactor * threshold_;
        want_idle != idle) {
      idle = want_idle;
      SetIdlePriority(idle);
    }
    lock.unlock();
    // A failed pass is asked for again at the next commit; the log stays correct meanwhile, only
    // longer.
    background_passes_++;
    auto done = db_->CheckpointPassive();
    // A failed sync is only a slower finish: the pass that finishes the log syncs it anyway.
    if (db_fd_ >= 0) (void)::fdatasync(db_fd_);
    if (done.ok() && done->copied >= 0) background_copied_ = done->copied;
    lock.lock();
  }
}

}  // namespace relayer::sqlite
