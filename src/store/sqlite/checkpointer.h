// Copies the write-ahead log back into the database, on a thread of its own and, for the last few
// frames of a log, on the writer's.
//
// An automatic checkpoint would run inside the writer's commit and stall every write queued
// behind it (a 16k-page checkpoint held commits for 100+ ms), so the copy runs on a background
// thread once the log holds `threshold` frames. Every pass has a fixed cost whatever it copies:
// SQLite sorts a whole 4,096-frame segment of the log's index (~350k instructions) and syncs the
// log, and the pass that finishes a log syncs the database. A pass per commit (each copying ~25
// frames) was a quarter of the store's instructions per message. So a background pass runs only
// for kMinPass frames or more; when fewer are left, the writer copies them itself in its commit
// hook: then the whole log is in the database before the writer's next transaction, which starts
// the log again from its beginning (SQLite restarts a log only when a write begins with every
// frame copied; a background pass racing the writer's commits rarely ends that way). The pass
// that finishes a log syncs the database file; so that the writer's does not wait for all the
// pages the background copied, the background thread syncs the file after each of its passes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/db.h"

namespace relayer::sqlite {

// Where the next copy runs, after a commit left `frames` in the log of which the last pass copied
// `copied` (0 after the log restarted). `here_failed`: the writer's last own pass left frames
// behind (a reader still needed them) and no background pass has run since.
enum class CheckpointStep { kNone, kBackground, kHere };
inline constexpr int kMinPass = 256;
CheckpointStep NextCheckpointStep(int frames, int copied, int threshold, bool here_failed);

class Checkpointer {
 public:
  // `idle_priority`: the background passes run at SCHED_IDLE (below); false keeps the thread's
  // normal priority (tests on a busy machine).
  Checkpointer(std::unique_ptr<Connection> db, int threshold, bool idle_priority = true);
  ~Checkpointer();

  // From the writer's commit hook, on the writer's thread; `writer` is its connection. Never
  // waits for a background pass.
  void Committed(int frames, Connection& writer);

  struct Stats {
    int64_t background_passes = 0;
    int64_t writer_passes = 0;
  };
  Stats stats() const { return {background_passes_.load(), writer_passes_.load()}; }

 private:
  // The copy runs only when the core has nothing else to do (SCHED_IDLE): on a server pinned to
  // one core, a checkpoint of 4,096 pages at normal priority took the core from the network
  // thread and the writer for ~100 ms (S1's first step failed at 2,000 msgs/s with p99 112 ms).
  // Should the log grow past kUrgentFactor thresholds (a core that is never idle), the copy runs
  // at normal priority until it catches up, so the log cannot grow without bound.
  static constexpr int kUrgentFactor = 8;
  void Run();

  std::unique_ptr<Connection> db_;
  int db_fd_ = -1;  // the database file, read-only, for syncing what the passes wrote
  const int threshold_;
  const bool idle_priority_;
  // The writer thread's alone.
  int copied_ = 0;  // frames of the current log copied by the last pass that said
  bool here_failed_ = false;
  // Shared with the background thread.
  std::atomic<int> background_copied_{-1};  // set by each background pass, taken by the writer
  std::atomic<int64_t> background_passes_{0};
  std::atomic<int64_t> writer_passes_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;  // guarded by mu_
  bool stop_ = false;    // guarded by mu_
  int frames_ = 0;       // in the log at the last request (guarded by mu_)
  std::thread thread_;
};

}  // namespace relayer::sqlite
