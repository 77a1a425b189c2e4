// One libpq connection, RAII: closed when the object goes. Errors are Status values; nothing
// throws. Not thread-safe: one thread uses a connection at a time (libpq's own rule), which is why
// the future PgStore will keep a small pool of them rather than share one.
//
// Foundation of issue 7: used by the schema migrations (schema.h) and their tests. The PgStore
// implementation of store/store.h that will sit on top of it is not written yet.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

struct pg_conn;  // libpq's PGconn, kept out of this header

namespace relayer::pg {

// SQLSTATE of a failed statement, when PostgreSQL sent one (unique_violation is "23505").
inline constexpr const char* kUniqueViolation = "23505";
// A transaction that must be run again from its start: deadlock_detected, serialization_failure.
inline constexpr const char* kDeadlockDetected = "40P01";
inline constexpr const char* kSerializationFailure = "40001";

// A row of text-format values; NULL is nullopt.
using Row = std::vector<std::optional<std::string>>;
using Param = std::optional<std::string>;

struct Rows {
  std::vector<Row> rows;
  std::string command_status;  // libpq's PQcmdStatus, e.g. "INSERT 0 1"
};

class Connection {
 public:
  // Connects to a libpq URI or key=value string, giving up after timeout_seconds (libpq's
  // connect_timeout, which rounds below 2 s up to 2 s). A server that cannot be reached is
  // kServiceUnavailable.
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo, int timeout_seconds);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters (migrations, BEGIN/COMMIT).
  Status Execute(const std::string& sql);
  // Runs one statement with $1..$n text parameters and returns its rows. A unique violation is
  // kConflict; other statement errors are kInternalServerError; a lost connection is
  // kServiceUnavailable. The SQLSTATE of the last failure is kept in last_sqlstate().
  Result<Rows> Query(const std::string& sql, const std::vector<Param>& params = {});

  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // Whether the last failure asks for the whole transaction to be run again (deadlock or
  // serialization failure, which concurrent writers on other nodes can cause).
  bool last_failure_retryable() const {
    return last_sqlstate_ == kDeadlockDetected || last_sqlstate_ == kSerializationFailure;
  }
  // False once the server connection is lost (the object must then be replaced).
  bool alive() const;

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
  std::string last_sqlstate_;
};

}  // namespace relayer::pg
