// Opens the store the server runs on: SQLite in the data folder (the default, one node), or
// PostgreSQL when the config names a postgres:// URI (several nodes sharing it, docs/scaling.md).
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "server/app/config.h"
#include "store/store.h"

namespace relayer::server {

// True for a libpq URI this server accepts as `store`: postgres://... or postgresql://...
bool IsPostgresUri(const std::string& store);

// The store of `config`: config.store empty opens SQLite in config.data_dir (which must exist);
// a PostgreSQL URI connects (giving up after a few seconds), migrates and opens PgStore with
// config.blocking_threads read connections. Anything else is kInvalidRequest. An unreachable
// database is kServiceUnavailable with libpq's reason.
Result<std::unique_ptr<Store>> OpenConfiguredStore(const ServerConfig& config);

// The URI without its password, for logs and error messages.
std::string RedactedStoreUri(const std::string& uri);

}  // namespace relayer::server
