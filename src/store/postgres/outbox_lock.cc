#include "store/postgres/outbox_lock.h"

namespace relayer::pg {
namespace {

// Two-key advisory lock: a fixed class ("rely" in ASCII) and the schema's hash.
constexpr const char* kTryLock =
    "SELECT pg_try_advisory_lock(1919249529, hashtext(current_schema()))";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock(1919249529, hashtext(current_schema()))";

}  // namespace

bool OutboxLock::Held() {
  std::lock_guard lock(mu_);
  if (held_) {
    if (db_ && db_->Query("SELECT 1").ok()) return true;
    // The session is gone, and the lock with it.
    held_ = false;
    db_.reset();
  }
  if (!db_) {
    auto opened = Connection::Open(conninfo_, timeout_seconds_);
    if (!opened.ok()) return false;
    db_ = std::move(*opened);
  }
  auto r = db_->Query(kTryLock);
  if (!r.ok()) {
    db_.reset();
    return false;
  }
  held_ = !r->rows.empty() && r->rows[0][0] == "t";
  return held_;
}

void OutboxLock::Release() {
  std::lock_guard lock(mu_);
  // Unlocked before closing: the server ends a closed session a little later, and another node
  // asking in between would otherwise still find the outbox taken.
  if (held_ && db_) (void)db_->Query(kUnlock);
  db_.reset();
  held_ = false;
}

}  // namespace relayer::pg
