// The sync log: rows written by the write operations (inside their transaction), pruned by the
// writer a few rows at a time, and read with the dashboard's filters.
#include <string>

#include "store/sqlite/ops.h"
#include "store/sqlite/reads.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {
namespace {

// Rows looked at per write for pruning: small, so that a large backlog (e.g. after lowering the
// retention) is worked off over many commits instead of stalling one.
constexpr int64_t kPruneBatch = 8;

Status Prune(OpContext& ctx, int64_t newest_seq, TimeMs now) {
  const Limits& l = ctx.limits;
  if (l.sync_log_max_rows == 0 && l.sync_log_max_age_ms <= 0) return Status::Ok();
  const int64_t keep_above =
      l.sync_log_max_rows ? newest_seq - static_cast<int64_t>(l.sync_log_max_rows) : 0;
  const TimeMs oldest_ts = l.sync_log_max_age_ms > 0 ? now - l.sync_log_max_age_ms : 0;
  int64_t upto = 0;
  {
    auto q = ctx.db.Prepare("SELECT seq, ts FROM sync_log ORDER BY seq LIMIT ?1");
    q.Bind(1, kPruneBatch);
    while (q.Next()) {
      const int64_t seq = q.Int(0);
      const bool surplus = seq <= keep_above;
      const bool expired = oldest_ts > 0 && q.Int(1) < oldest_ts;
      if (!surplus && !expired) break;  // oldest first: what follows is kept too
      upto = seq;
    }
    RELAYER_RETURN_IF_ERROR(q.status());
  }
  if (upto == 0) return Status::Ok();
  auto d = ctx.db.Prepare("DELETE FROM sync_log WHERE seq <= ?1");
  d.Bind(1, upto);
  return d.Exec();
}

}  // namespace

Status LogSync(OpContext& ctx, const AppId& app, TimeMs ts, const SyncEvent& e, WriteResult& out) {
  auto q = ctx.db.Prepare(
      "INSERT INTO sync_log (app, ts, actor, actor_is_user, verb, object_id, conversation_id, "
      "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  q.Bind(1, app.str()).Bind(2, ts).Bind(3, e.actor.name).Bind(4, e.actor.is_user ? 1 : 0);
  q.Bind(5, SyncVerbName(e.verb)).Bind(6, e.object_id).Bind(7, e.conversation.str());
  q.Bind(8, e.detail);
  RELAYER_RETURN_IF_ERROR(q.Exec());
  out.sync_log_seq = ctx.db.LastInsertRowid();
  return Prune(ctx, out.sync_log_seq, ts);
}

Result<std::vector<SyncLogEntry>> ReadSyncLog(Connection& db, const AppId& app,
                                              const SyncLogFilter& f) {
  std::vector<SyncLogEntry> out;
  if (f.limit == 0) return out;
  // Numbered parameters: the text varies with the filters, the bindings do not (?8 is always
  // used, so every index up to it is in range).
  std::string sql =
      "SELECT seq, ts, actor, actor_is_user, verb, object_id, conversation_id, detail "
      "FROM sync_log WHERE app = ?1";
  if (f.actor) sql += " AND actor = ?2";
  if (f.conversation) sql += " AND conversation_id = ?3";
  if (f.from_ts > 0) sql += " AND ts >= ?4";
  if (f.to_ts > 0) sql += " AND ts < ?5";
  if (f.after_seq) sql += " AND seq > ?6";
  if (f.before_seq > 0) sql += " AND seq < ?7";
  sql += f.after_seq ? " ORDER BY seq ASC LIMIT ?8" : " ORDER BY seq DESC LIMIT ?8";
  auto q = db.Prepare(sql);
  q.Bind(1, app.str());
  if (f.actor) q.Bind(2, f.actor->str());
  if (f.conversation) q.Bind(3, f.conversation->str());
  q.Bind(4, f.from_ts).Bind(5, f.to_ts).Bind(6, f.after_seq.value_or(0)).Bind(7, f.before_seq);
  q.Bind(8, static_cast<int64_t>(f.limit));
  while (q.Next()) {
    auto verb = ParseSyncVerb(q.Text(4));
    if (!verb) continue;  // written by a newer version: not ours to render
    SyncLogEntry e;
    e.seq = q.Int(0);
    e.ts = q.Int(1);
    e.actor = SyncActor{q.Int(3) != 0, q.Text(2)};
    e.verb = *verb;
    e.object_id = q.Text(5);
    e.conversation_id = ConversationId(q.Text(6));
    e.detail_json = q.Text(7);
    out.push_back(std::move(e));
  }
  RELAYER_RETURN_IF_ERROR(q.status());
  return out;
}

}  // namespace relayer::sqlite
