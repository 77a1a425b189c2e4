// The sync log on PostgreSQL: rows written by the write operations (inside their transaction),
// pruned a few rows at a time, and read with the dashboard's filters (see
// store/sqlite/sync_log.cc).
#include <string>

#include "store/postgres/ops.h"
#include "store/postgres/reads.h"
#include "store/postgres/sql.h"

namespace relayer::pg {
namespace {

// Rows looked at per write for pruning: small, so that a large backlog is worked off over many
// commits instead of stalling one.
constexpr int64_t kPruneBatch = 8;

Status Prune(PgOpContext& ctx, int64_t newest_seq, TimeMs now) {
  const Limits& l = ctx.limits;
  if (l.sync_log_max_rows == 0 && l.sync_log_max_age_ms <= 0) return Status::Ok();
  const int64_t keep_above =
      l.sync_log_max_rows ? newest_seq - static_cast<int64_t>(l.sync_log_max_rows) : 0;
  const TimeMs oldest_ts = l.sync_log_max_age_ms > 0 ? now - l.sync_log_max_age_ms : 0;
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      ctx.db.Query("SELECT seq, ts FROM sync_log ORDER BY seq LIMIT $1", {P(kPruneBatch)}));
  int64_t upto = 0;
  for (const Row& r : rows.rows) {
    const int64_t seq = Int(r[0]);
    const bool surplus = seq <= keep_above;
    const bool expired = oldest_ts > 0 && Int(r[1]) < oldest_ts;
    if (!surplus && !expired) break;  // oldest first: what follows is kept too
    upto = seq;
  }
  if (upto == 0) return Status::Ok();
  return ctx.db.Query("DELETE FROM sync_log WHERE seq <= $1", {P(upto)}).status();
}

}  // namespace

Status LogSync(PgOpContext& ctx, const AppId& app, TimeMs ts, const SyncEvent& e,
               WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      ctx.db.Query(
          "INSERT INTO sync_log (app, ts, actor, actor_is_user, verb, object_id, "
          "conversation_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
          "RETURNING seq",
          {app.str(), P(ts), e.actor.name, P(e.actor.is_user), std::string(SyncVerbName(e.verb)),
           e.object_id, e.conversation.str(), e.detail}));
  if (rows.rows.empty()) return Internal("postgres: sync log insert returned no row");
  out.sync_log_seq = Int(rows.rows[0][0]);
  return Prune(ctx, out.sync_log_seq, ts);
}

Result<std::vector<SyncLogEntry>> ReadSyncLog(Connection& db, const AppId& app,
                                              const SyncLogFilter& f) {
  std::vector<SyncLogEntry> out;
  if (f.limit == 0) return out;
  std::vector<Param> params{app.str()};
  std::string sql =
      "SELECT seq, ts, actor, actor_is_user, verb, object_id, conversation_id, detail "
      "FROM sync_log WHERE app = $1";
  auto add = [&](const char* clause, Param value) {
    params.push_back(std::move(value));
    sql += clause + std::to_string(params.size());
  };
  if (f.actor) add(" AND actor = $", f.actor->str());
  if (f.conversation) add(" AND conversation_id = $", f.conversation->str());
  if (f.from_ts > 0) add(" AND ts >= $", P(f.from_ts));
  if (f.to_ts > 0) add(" AND ts < $", P(f.to_ts));
  if (f.after_seq) add(" AND seq > $", P(*f.after_seq));
  if (f.before_seq > 0) add(" AND seq < $", P(f.before_seq));
  sql += f.after_seq ? " ORDER BY seq ASC" : " ORDER BY seq DESC";
  add(" LIMIT $", P(static_cast<int64_t>(f.limit)));
  RELAYER_ASSIGN_OR_RETURN(Rows rows, db.Query(sql, params));
  for (const Row& r : rows.rows) {
    auto verb = ParseSyncVerb(Text(r[4]));
    if (!verb) continue;  // written by a newer version: not ours to render
    SyncLogEntry e;
    e.seq = Int(r[0]);
    e.ts = Int(r[1]);
    e.actor = SyncActor{Bool(r[3]), Text(r[2])};
    e.verb = *verb;
    e.object_id = Text(r[5]);
    e.conversation_id = ConversationId(Text(r[6]));
    e.detail_json = Text(r[7]);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace relayer::pg
