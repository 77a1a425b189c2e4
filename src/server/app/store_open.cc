#include "server/app/store_open.h"

#include <algorithm>
#include <filesystem>

#include "store/postgres/pg_store.h"

namespace relayer::server {

bool IsPostgresUri(const std::string& store) {
  return store.rfind("postgres://", 0) == 0 || store.rfind("postgresql://", 0) == 0;
}

std::string RedactedStoreUri(const std::string& uri) {
  // scheme://user:password@host... -> scheme://user:***@host...
  const size_t start = uri.find("://");
  if (start == std::string::npos) return uri;
  const size_t at = uri.find('@', start + 3);
  if (at == std::string::npos) return uri;
  const size_t colon = uri.find(':', start + 3);
  if (colon == std::string::npos || colon > at) return uri;
  return uri.substr(0, colon + 1) + "***" + uri.substr(at);
}

Result<std::unique_ptr<Store>> OpenConfiguredStore(const ServerConfig& config) {
  if (config.store.empty()) {
    SqliteOptions options;
    options.path = (std::filesystem::path(config.data_dir) / "relayer.db").string();
    options.max_batch = config.max_batch;
    options.commit_linger_us = config.commit_linger_us;
    options.limits = config.limits;
    return OpenSqliteStore(options);
  }
  if (!IsPostgresUri(config.store)) {
    return Status(ErrorCode::kInvalidRequest,
                  "store must be empty (SQLite in the data folder) or a postgres:// or "
                  "postgresql:// URI");
  }
  PgOptions options;
  options.uri = config.store;
  options.pool_size = std::max<size_t>(1, config.blocking_threads);
  options.max_batch = config.max_batch;
  options.limits = config.limits;
  auto store = OpenPgStore(options);
  if (!store.ok()) {
    return Status(store.status().code(), "cannot open the PostgreSQL store " +
                                             RedactedStoreUri(config.store) + ": " +
                                             store.status().message());
  }
  return store;
}

}  // namespace relayer::server
