// Thin RAII wrappers over the SQLite C API: a Connection owning a sqlite3* and its cache of
// prepared statements, and a Query lease that resets its statement when it goes out of scope.
// A Connection is used by one thread at a time; nothing here is shared between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace relayer::sqlite {

class Connection;

// A prepared statement. Owned by a Connection's cache (or by a Query when the cached one is busy).
class Statement {
 public:
  Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}  // NOLINT: takes ownership
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  bool busy = false;

 private:
  sqlite3_stmt* stmt_;
};

// One use of a statement: bind, step, read columns. Resets and clears bindings when destroyed,
// so the cached statement can be reused. Parameters are 1-based, columns 0-based (as in SQLite).
class Query {
 public:
  Query(Connection& db, Statement* stmt, std::unique_ptr<Statement> owned);
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& Bind(int i, int64_t v);
  Query& Bind(int i, std::string_view v);
  Query& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Query& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Query& Bind(int i, const std::optional<std::string>& v);
  Query& BindNull(int i);

  // Advances to the next row: true when a row is available. On an error returns false and
  // records it (see status()).
  bool Next();
  // Runs a statement that returns no rows (or ignores them).
  Status Exec();
  // The first error seen by this query, if any.
  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }

  int64_t Int(int col) const;
  std::string Text(int col) const;
  bool IsNull(int col) const;
  std::optional<std::string> OptText(int col) const;

 private:
  Connection& db_;
  Statement* stmt_;
  std::unique_ptr<Statement> owned_;
  Status status_;
  bool done_ = false;
};

class Connection {
 public:
  // Opens (creating when missing) the database at `path`.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A query over `sql`, prepared once per connection and cached (keyed by the text).
  // If the cached statement is in use (nested use of the same SQL) a fresh one is prepared.
  Query Prepare(std::string_view sql);

  // Runs one or more statements without parameters (schema, BEGIN/COMMIT, pragmas).
  Status Execute(const char* sql);

  // Calls `hook(frames)` after each commit with the size of the write-ahead log in frames; this
  // replaces SQLite's automatic checkpoints on this connection. The hook runs on the committing
  // thread; it may checkpoint this connection (as SQLite's own automatic checkpoint does), and
  // must not run statements on it.
  void OnWalCommit(std::function<void(int)> hook);
  // What a checkpoint found: frames in the log and frames of it copied back into the database
  // (-1 when it could not tell: another checkpoint was running).
  struct WalFrames {
    int log = -1;
    int copied = -1;
  };
  // A PASSIVE checkpoint: copies back whatever no reader still needs, never waits for readers or
  // the writer.
  Result<WalFrames> CheckpointPassive();

  // The database file's path.
  std::string FileName() const;

  int64_t LastInsertRowid() const;
  int Changes() const;
  std::string ErrorMessage() const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  Result<std::unique_ptr<Statement>> Compile(std::string_view sql);

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  std::function<void(int)> wal_hook_;
};

}  // namespace relayer::sqlite
