#include "store/sqlite/db.h"

#include <sqlite3.h>

#include "store/sqlite/page_cache.h"
#include "store/sqlite/wal_batch_vfs.h"

namespace relayer::sqlite {
namespace {

Status SqliteError(sqlite3* db, std::string_view what) {
  return Internal("sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

Statement::~Statement() { sqlite3_finalize(stmt_); }

Query::Query(Connection& db, Statement* stmt, std::unique_ptr<Statement> owned)
    : db_(db), stmt_(stmt), owned_(std::move(owned)) {
  if (stmt_ == nullptr) {
    status_ = Internal("sqlite: prepare failed: " + db_.ErrorMessage());
  } else {
    stmt_->busy = true;
  }
}

Query::~Query() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_->get());
  sqlite3_clear_bindings(stmt_->get());
  stmt_->busy = false;
}

Query& Query::Bind(int i, int64_t v) {
  if (stmt_) sqlite3_bind_int64(stmt_->get(), i, v);
  return *this;
}

Query& Query::Bind(int i, std::string_view v) {
  if (stmt_) {
    sqlite3_bind_text(stmt_->get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  return *this;
}

Query& Query::Bind(int i, const std::optional<std::string>& v) {
  return v ? Bind(i, std::string_view(*v)) : BindNull(i);
}

Query& Query::BindNull(int i) {
  if (stmt_) sqlite3_bind_null(stmt_->get(), i);
  return *this;
}

bool Query::Next() {
  if (stmt_ == nullptr || done_ || !status_.ok()) return false;
  int rc = sqlite3_step(stmt_->get());
  if (rc == SQLITE_ROW) return true;
  done_ = true;
  if (rc != SQLITE_DONE) {
    status_ = Internal("sqlite: step failed (" + std::to_string(rc) + "): " + db_.ErrorMessage());
  }
  return false;
}

Status Query::Exec() {
  while (Next()) {
  }
  return status_;
}

int64_t Query::Int(int col) const { return sqlite3_column_int64(stmt_->get(), col); }

std::string Query::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_->get(), col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_->get(), col)));
}

bool Query::IsNull(int col) const { return sqlite3_column_type(stmt_->get(), col) == SQLITE_NULL; }

std::optional<std::string> Query::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path) {
  // Before SQLite initializes (its first open): no allocation statistics, which took a global
  // mutex on every allocation, and the page cache that skips needless walks (page_cache.h).
  // Later calls are refused by SQLite and change nothing.
  static const bool configured = [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)InstallPageCache();
    return true;
  }();
  (void)configured;
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, WalBatchVfsName());
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Internal("sqlite: cannot open " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  // Readers and the writer share the file; wait rather than fail on a brief lock.
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close(db_);
}

Result<std::unique_ptr<Statement>> Connection::Compile(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, "prepare " + std::string(sql));
  return std::make_unique<Statement>(stmt);
}

Query Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end() && !it->second->busy) return Query(*this, it->second.get(), nullptr);
  auto compiled = Compile(sql);
  if (!compiled.ok()) return Query(*this, nullptr, nullptr);
  if (it == cache_.end()) {
    Statement* s = compiled->get();
    cache_.emplace(std::string(sql), std::move(compiled).value());
    return Query(*this, s, nullptr);
  }
  Statement* s = compiled->get();
  return Query(*this, s, std::move(compiled).value());  // nested use: a private copy
}

Status Connection::Execute(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Internal("sqlite: " + msg);
}

void Connection::OnWalCommit(std::function<void(int)> hook) {
  wal_hook_ = std::move(hook);
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int frames) {
        static_cast<Connection*>(self)->wal_hook_(frames);
        return SQLITE_OK;
      },
      this);
}

Result<Connection::WalFrames> Connection::CheckpointPassive() {
  WalFrames frames;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames.log,
                                     &frames.copied);
  if (rc == SQLITE_BUSY) return WalFrames{};
  if (rc == SQLITE_OK) return frames;
  return SqliteError(db_, "checkpoint");
}

std::string Connection::FileName() const {
  const char* name = sqlite3_db_filename(db_, "main");
  return name ? name : "";
}

int64_t Connection::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
int Connection::Changes() const { return sqlite3_changes(db_); }
std::string Connection::ErrorMessage() const { return sqlite3_errmsg(db_); }

}  // namespace relayer::sqlite
