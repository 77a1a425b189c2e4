#include "store/postgres/connection.h"

#include <libpq-fe.h>

#include <string>

namespace relayer::pg {
namespace {

// Frees a PGresult however the function that got it returns.
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string Trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo,
                                                     int timeout_seconds) {
  const std::string timeout = std::to_string(timeout_seconds > 0 ? timeout_seconds : 1);
  // expand_dbname: "dbname" may be a whole URI or key=value string; later keys override it.
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {conninfo.c_str(), timeout.c_str(), "relayer", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status(ErrorCode::kServiceUnavailable, "postgres: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    Status s(ErrorCode::kServiceUnavailable, "postgres: " + Trimmed(PQerrorMessage(conn)));
    PQfinish(conn);
    return s;
  }
  // Notices (e.g. "drop cascades to ...") are information, not errors: keep them off stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::alive() const { return PQstatus(conn_) == CONNECTION_OK; }

Status Connection::Execute(const std::string& sql) {
  auto rows = Query(sql);
  return rows.status();
}

Result<Rows> Connection::Query(const std::string& sql, const std::vector<Param>& params) {
  last_sqlstate_.clear();
  ResultPtr res;
  if (params.empty()) {
    // PQexec accepts several statements in one string (migrations); PQexecParams only one.
    res.reset(PQexec(conn_, sql.c_str()));
  } else {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
    res.reset(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                           values.data(), nullptr, nullptr, /*resultFormat=text*/ 0));
  }
  if (!res || PQstatus(conn_) != CONNECTION_OK) {
    return Status(ErrorCode::kServiceUnavailable,
                  "postgres: connection lost: " + Trimmed(PQerrorMessage(conn_)));
  }
  const ExecStatusType st = PQresultStatus(res.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
    last_sqlstate_ = state ? state : "";
    std::string message = "postgres: " + Trimmed(PQresultErrorMessage(res.get()));
    if (last_sqlstate_ == kUniqueViolation) return Status(ErrorCode::kConflict, message);
    return Internal(message);
  }
  Rows out;
  out.command_status = PQcmdStatus(res.get());
  const int n = PQntuples(res.get());
  const int cols = PQnfields(res.get());
  out.rows.reserve(n);
  for (int i = 0; i < n; ++i) {
    Row row;
    row.reserve(cols);
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(res.get(), i, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(res.get(), i, c),
                                     static_cast<size_t>(PQgetlength(res.get(), i, c))));
      }
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace relayer::pg
