// The SQLite schema and its versioned migrations (PRAGMA user_version holds the version).
#pragma once

#include <cstdint>

#include "core/status.h"
#include "store/sqlite/db.h"

namespace relayer::sqlite {

inline constexpr int kSchemaVersion = 12;

// The minute of change_marks a change stamped `ts` (ms) falls in (the v12 migration computes the
// same in SQL as ts / 60000: both truncate).
inline constexpr int64_t ChangeMarkMinute(int64_t ts) { return ts / 60000; }

// Sets the connection pragmas every connection needs (WAL, synchronous=FULL, foreign keys off).
Status ConfigureConnection(Connection& db);
// The same, for the one connection that writes.
Status ConfigureWriterConnection(Connection& db);

// Brings the database up to kSchemaVersion, creating it when empty. Fails on a newer schema.
Status Migrate(Connection& db);

}  // namespace relayer::sqlite
