// The sync log's write side (schema v10). Entries are numbered by the writer and held in memory
// while their transaction runs; just before COMMIT they are written as a few packed rows (blocks
// of up to kSyncBlockEntries entries of one app, a JSON array each) in that same transaction. One
// row per message with four indexes, two of them keyed by conversation and by actor, had cost the
// writer a third of its time per message; a block costs a few inserts per commit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/status.h"
#include "core/sync_log.h"
#include "store/sqlite/db.h"

namespace relayer::sqlite {

inline constexpr size_t kSyncBlockEntries = 256;

// Owned by the store, used only on the writer thread.
class SyncLogBuffer {
 public:
  // Numbers `e` (e.seq is set) and keeps it for Flush. Reads the last number from `db` once.
  Result<int64_t> Append(Connection& db, std::string app, SyncLogEntry e);

  size_t size() const { return pending_.size(); }
  // Forgets the entries appended after the first `mark` (their operation was rolled back); their
  // numbers are given out again.
  void Truncate(size_t mark);
  // Writes the pending entries and prunes past the retention limits, inside the open
  // transaction. The buffer is empty afterwards, whatever the outcome.
  Status Flush(Connection& db, const Limits& limits);
  // The transaction was rolled back: forget everything, re-read the last number next time.
  void Reset();

 private:
  struct Pending {
    std::string app;
    SyncLogEntry entry;
  };
  std::vector<Pending> pending_;
  int64_t last_seq_ = -1;  // -1: not read yet
};

}  // namespace relayer::sqlite
