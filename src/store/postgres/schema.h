// The PostgreSQL schema and its versioned migrations, applied on start.
//
// Migrate() is safe to call from several nodes starting at once: it runs in one transaction under
// a transaction-scoped advisory lock, so one node applies the missing versions and the others
// then find them applied. Tables go into the first schema of the connection's search_path.
//
// Foundation of issue 7 only: the tables exist and are tested, but no PgStore implements
// store/store.h on them yet (the next step), and nothing in the server selects PostgreSQL.
#pragma once

#include "core/status.h"
#include "store/postgres/connection.h"

namespace relayer::pg {

// The version Migrate() brings a database to. Its own numbering, independent of SQLite's.
inline constexpr int kSchemaVersion = 2;

// Applies every migration the database lacks. A database newer than kSchemaVersion is an error
// (an older binary must not write a schema it does not know).
Status Migrate(Connection& db);

// The version recorded in schema_version, 0 for a database never migrated.
Result<int> SchemaVersion(Connection& db);

}  // namespace relayer::pg
