#include "store/postgres/ops.h"

#include <algorithm>
#include <exception>
#include <map>

#include "core/layer_patch.h"
#include "store/postgres/sql.h"
#include "store/sqlite/codec.h"

namespace relayer::pg {

Status NotImplemented() {
  return Status(ErrorCode::kInvalidOperation, "not implemented on PostgreSQL yet");
}

WriteResult ApplyWrite(Connection& db, const Limits& limits, const WriteOp& op) {
  PgOpContext ctx{db, limits};
  WriteResult out;
  // Webhook and push events are recorded in the same transaction as the write itself.
  auto pre = SnapshotBefore(ctx, op);
  if (!pre.ok()) {
    out.status = pre.status();
    return out;
  }
  out.status = std::visit([&](const auto& o) { return Apply(ctx, o, out); }, op);
  if (out.status.ok()) out.status = RecordEvents(ctx, op, *pre, out);
  return out;
}

Status EmitChange(PgOpContext& ctx, const AppId& app, TimeMs ts, Change change, WriteResult& out) {
  change.ts = ts;
  // Heads are locked in one order (sorted, unique) so that two writers sharing recipients queue
  // up instead of deadlocking, as far as one statement goes (a deadlock across statements makes
  // the writer re-run its batch). The changes row depends on the heads CTE, so its seq is drawn
  // after the locks are held: per user, seq order is then user_seq order (ReadChanges uses that).
  std::vector<std::string> users;
  users.reserve(change.recipients.size());
  for (const UserId& u : change.recipients) users.push_back(u.str());
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      ctx.db.Query(
          "WITH heads AS (INSERT INTO user_change_heads AS h (app, user_id, last_seq) "
          "SELECT $1, u, 1 FROM unnest($2::text[]) WITH ORDINALITY AS t(u, n) ORDER BY n "
          "ON CONFLICT (app, user_id) DO UPDATE SET last_seq = h.last_seq + 1 "
          "RETURNING user_id, last_seq), "
          "ch AS (INSERT INTO changes (app, ts, op, type, object_id, conversation_id, recipients, "
          "data) SELECT $1, $3::bigint, $4::smallint, $5::smallint, $6, $7, $8, $9 FROM (SELECT "
          "count(*) FROM heads) AS locked "
          "RETURNING seq), "
          "uc AS (INSERT INTO user_changes (app, user_id, user_seq, change) "
          "SELECT $1, heads.user_id, heads.last_seq, ch.seq FROM heads, ch) "
          "SELECT ch.seq, heads.user_id, heads.last_seq FROM ch LEFT JOIN heads ON true",
          {app.str(), TextArray(users), P(ts), P(static_cast<int64_t>(change.op)),
           P(static_cast<int64_t>(change.type)), change.object_id, change.conversation_id.str(),
           sqlite::EncodeUsers(change.recipients), change.data_json}));
  if (rows.rows.empty()) return Internal("postgres: change insert returned no row");
  change.seq = Int(rows.rows[0][0]);
  std::map<std::string, int64_t> seqs;
  for (const Row& r : rows.rows) {
    if (r[1]) seqs[*r[1]] = Int(r[2]);
  }
  change.user_seqs.clear();
  for (const UserId& u : change.recipients) change.user_seqs.push_back(seqs[u.str()]);
  out.changes.push_back(std::move(change));
  return Status::Ok();
}

Result<Membership> RequireMember(Connection& db, const AppId& app, const ConversationId& id,
                                 const UserId& user, bool lock) {
  Membership m;
  RELAYER_ASSIGN_OR_RETURN(m.conv, FindConversationRow(db, app, id, lock));
  RELAYER_ASSIGN_OR_RETURN(auto p, FindParticipant(db, app, id, user));
  if (!p) return NotFound("conversation not found");
  m.me = *p;
  return m;
}

Result<Membership> RequireMemberOrApp(Connection& db, const AppId& app, const ConversationId& id,
                                      const UserId& user, bool lock) {
  if (!IsAppActor(user)) return RequireMember(db, app, id, user, lock);
  Membership m;
  RELAYER_ASSIGN_OR_RETURN(m.conv, FindConversationRow(db, app, id, lock));
  return m;
}

Result<VisibleMessage> RequireVisibleMessage(Connection& db, const AppId& app, const MessageId& id,
                                             const UserId& user) {
  RELAYER_ASSIGN_OR_RETURN(auto row, FindMessageRow(db, app, id, /*lock=*/true));
  if (!row) return NotFound("message not found");
  RELAYER_ASSIGN_OR_RETURN(auto p, FindParticipant(db, app, row->message.conversation_id, user));
  if (!p) return NotFound("message not found");
  RELAYER_ASSIGN_OR_RETURN(bool visible, MessageVisible(db, *row, user, *p));
  if (!visible) return NotFound("message not found");
  return VisibleMessage{std::move(*row), *p};
}

std::string RecipientStatusPath(const UserId& user) {
  return "recipient_status." + EscapePatchSegment(IdentityUrl(user));
}

Status UpsertIdentityRow(Connection& db, const AppId& app, const Identity& i, TimeMs now) {
  return db
      .Query(
          "INSERT INTO identities (app, user_id, display_name, avatar_url, first_name, last_name, "
          "email_address, phone_number, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
          "ON CONFLICT (app, user_id) DO UPDATE SET display_name = excluded.display_name, "
          "avatar_url = excluded.avatar_url, first_name = excluded.first_name, "
          "last_name = excluded.last_name, email_address = excluded.email_address, "
          "phone_number = excluded.phone_number, updated_at = excluded.updated_at",
          {app.str(), i.user_id.str(), i.display_name, i.avatar_url, i.first_name, i.last_name,
           i.email_address, i.phone_number, P(now)})
      .status();
}

}  // namespace relayer::pg
