#include "client/queue_store.h"

#include <sqlite3.h>

namespace relayer::sdk::net {

namespace {

// A prepared statement that finalizes itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  bool Step() { return s_ && sqlite3_step(s_) == SQLITE_ROW; }
  std::string Text(int i) {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
    return p ? std::string(p, sqlite3_column_bytes(s_, i)) : std::string();
  }
  int64_t Int(int i) { return sqlite3_column_int64(s_, i); }

 private:
  sqlite3_stmt* s_ = nullptr;
};

}  // namespace

QueueStore::~QueueStore() {
  if (db_) sqlite3_close(db_);
}

void QueueStore::Exec(const char* sql) {
  if (db_) sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
}

std::string QueueStore::Open(const std::string& path) {
  if (path.empty()) return "";
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
    std::string err = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    return "cannot open queue file " + path + ": " + err;
  }
  sqlite3_busy_timeout(db_, 2000);
  // Every queued send must survive a crash of the app: full sync, WAL for cheap commits.
  Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  Exec(
      "CREATE TABLE IF NOT EXISTS ops (seq INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL,"
      " kind TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, body TEXT NOT NULL,"
      " object_id TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS state (user TEXT PRIMARY KEY, last_change TEXT NOT NULL);");
  return "";
}

void QueueStore::Add(const std::string& user, QueuedOp& op) {
  std::lock_guard lock(mu_);
  if (!db_) {
    op.seq = next_memory_seq_++;
    return;
  }
  Stmt s(db_,
         "INSERT INTO ops (user, kind, method, path, body, object_id) VALUES (?,?,?,?,?,?) "
         "RETURNING seq");
  s.Bind(1, user).Bind(2, op.kind).Bind(3, op.method).Bind(4, op.path).Bind(5, op.body);
  s.Bind(6, op.object_id);
  op.seq = s.Step() ? s.Int(0) : next_memory_seq_++;
}

void QueueStore::Update(const QueuedOp& op) {
  std::lock_guard lock(mu_);
  if (!db_) return;
  Stmt s(db_, "UPDATE ops SET path = ?, body = ?, object_id = ? WHERE seq = ?");
  s.Bind(1, op.path).Bind(2, op.body).Bind(3, op.object_id).Bind(4, op.seq);
  s.Step();
}

void QueueStore::Remove(int64_t seq) {
  std::lock_guard lock(mu_);
  if (!db_) return;
  Stmt s(db_, "DELETE FROM ops WHERE seq = ?");
  s.Bind(1, seq);
  s.Step();
}

std::vector<QueuedOp> QueueStore::Load(const std::string& user) {
  std::lock_guard lock(mu_);
  std::vector<QueuedOp> out;
  if (!db_) return out;
  Stmt s(db_,
         "SELECT seq, kind, method, path, body, object_id FROM ops WHERE user = ? ORDER BY seq");
  s.Bind(1, user);
  while (s.Step()) {
    QueuedOp op{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5)};
    out.push_back(std::move(op));
  }
  return out;
}

std::string QueueStore::LastChange(const std::string& user) {
  std::lock_guard lock(mu_);
  if (!db_) return "";
  Stmt s(db_, "SELECT last_change FROM state WHERE user = ?");
  s.Bind(1, user);
  return s.Step() ? s.Text(0) : "";
}

void QueueStore::SetLastChange(const std::string& user, const std::string& timestamp) {
  std::lock_guard lock(mu_);
  if (!db_) return;
  Stmt s(db_,
         "INSERT INTO state (user, last_change) VALUES (?, ?) "
         "ON CONFLICT(user) DO UPDATE SET last_change = excluded.last_change");
  s.Bind(1, user).Bind(2, timestamp);
  s.Step();
}

}  // namespace relayer::sdk::net
