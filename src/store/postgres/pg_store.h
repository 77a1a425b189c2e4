// The PostgreSQL Store (issue 7, docs/scaling.md): the same contract as store/store.h's SQLite
// store, for several stateless nodes sharing one database.
//
// Writes go through one writer thread and connection per node with group commit (writer.h);
// batches that lose a deadlock to another node are re-run. Reads check a connection out of a small
// pool for the duration of one call and run in one REPEATABLE READ transaction (one snapshot).
// Per-user change sequences are kept (HasUserSequences() is true). Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/limits.h"
#include "core/status.h"
#include "store/store.h"

namespace relayer {

struct PgOptions {
  std::string uri;          // libpq URI or key=value string
  size_t pool_size = 4;     // read connections (callers wait when all are in use)
  size_t max_batch = 1000;  // operations per group commit
  int connect_timeout_seconds = 5;
  Limits limits;
};

// Connects, migrates the schema (relayer::pg::Migrate) and starts the writer. An unreachable
// server is kServiceUnavailable.
Result<std::unique_ptr<Store>> OpenPgStore(const PgOptions& options);

}  // namespace relayer
