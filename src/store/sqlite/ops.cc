#include "store/sqlite/ops.h"

#include "core/layer_patch.h"
#include "store/sqlite/codec.h"
#include "store/sqlite/events.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {

WriteResult ApplyWrite(Connection& db, const Limits& limits, SyncLogBuffer& sync_log, HotRows& hot,
                       const WriteOp& op) {
  // Only message creates and receipts keep what the cache holds true (hot_rows.h).
  const bool keeps_hot_rows =
      std::holds_alternative<CreateMessageOp>(op) || std::holds_alternative<PostReceiptOp>(op);
  if (!keeps_hot_rows) hot.Clear();
  OpContext ctx{db, limits, sync_log, hot};
  WriteResult out;
  // Also when an exception leaves (the writer turns it into a failed result).
  struct TakeBack {
    SyncLogBuffer& log;
    const size_t mark;
    HotRows& hot;
    bool keep = false;
    ~TakeBack() {
      if (keep) return;
      log.Truncate(mark);
      hot.Clear();  // it may hold what the rolled back write changed
    }
  } take_back{sync_log, sync_log.size(), hot};
  // Webhook and push events are recorded in the same transaction as the write itself.
  auto pre = SnapshotBefore(ctx, op);
  if (!pre.ok()) {
    out.status = pre.status();
    return out;
  }
  out.status = std::visit([&](const auto& o) { return ApplyOp(ctx, o, out); }, op);
  if (out.status.ok()) out.status = RecordEvents(ctx, op, *pre, out);
  take_back.keep = out.status.ok();
  return out;
}

namespace {

// The change's row; `conv` is 0 for a change indexed by recipient.
Status InsertChange(Connection& db, const AppId& app, TimeMs ts, int64_t conv, Change& change) {
  change.ts = ts;
  auto q = db.Prepare(
      "INSERT INTO changes (app, ts, op, type, object_id, conversation_id, recipients, data, conv) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  q.Bind(1, app.str()).Bind(2, ts).Bind(3, static_cast<int64_t>(change.op));
  q.Bind(4, static_cast<int64_t>(change.type)).Bind(5, change.object_id);
  q.Bind(6, change.conversation_id.str()).Bind(7, EncodeUsers(change.recipients));
  q.Bind(8, change.data_json);
  if (conv > 0) {
    q.Bind(9, conv);
  } else {
    q.BindNull(9);
  }
  if (Status s = q.Exec(); !s.ok()) return s;
  change.seq = db.LastInsertRowid();
  // The app's first change of a minute later than its last mark is marked (schema v12). A
  // change stamped in an earlier minute than the last mark, committed after it, sets none. (A
  // read, then an insert only when needed: INSERT ... SELECT from the table it inserts into
  // built a temporary table per change, ~16k instructions.)
  const int64_t minute = ChangeMarkMinute(ts);
  auto marked = db.Prepare("SELECT 1 FROM change_marks WHERE app = ?1 AND minute >= ?2 LIMIT 1");
  marked.Bind(1, app.str()).Bind(2, minute);
  if (marked.Next()) return Status::Ok();
  if (!marked.ok()) return marked.status();
  auto mark = db.Prepare("INSERT INTO change_marks (app, minute, seq) VALUES (?1, ?2, ?3)");
  mark.Bind(1, app.str()).Bind(2, minute).Bind(3, change.seq);
  return mark.Exec();
}

}  // namespace

Status EmitChange(Connection& db, const AppId& app, TimeMs ts, Change change, WriteResult& out) {
  RELAYER_RETURN_IF_ERROR(InsertChange(db, app, ts, 0, change));
  for (const UserId& user : change.recipients) {
    auto index =
        db.Prepare("INSERT INTO change_recipients (app, user_id, seq) VALUES (?1, ?2, ?3)");
    index.Bind(1, app.str()).Bind(2, user.str()).Bind(3, change.seq);
    RELAYER_RETURN_IF_ERROR(index.Exec());
  }
  out.changes.push_back(std::move(change));
  return Status::Ok();
}

Status EmitMemberChange(Connection& db, const AppId& app, TimeMs ts, int64_t conv, Change change,
                        WriteResult& out) {
  RELAYER_RETURN_IF_ERROR(InsertChange(db, app, ts, conv, change));
  out.changes.push_back(std::move(change));
  return Status::Ok();
}

Result<Membership> RequireMember(Connection& db, const AppId& app, const ConversationId& id,
                                 const UserId& user) {
  Membership m;
  RELAYER_ASSIGN_OR_RETURN(m.conv, FindConversationRow(db, app, id));
  RELAYER_ASSIGN_OR_RETURN(auto p, FindParticipant(db, m.conv.rowid, user));
  if (!p) return NotFound("conversation not found");
  m.me = *p;
  return m;
}

Result<Membership> RequireMemberOrApp(Connection& db, const AppId& app, const ConversationId& id,
                                      const UserId& user) {
  if (!IsAppActor(user)) return RequireMember(db, app, id, user);
  Membership m;
  RELAYER_ASSIGN_OR_RETURN(m.conv, FindConversationRow(db, app, id));
  return m;
}

Result<VisibleMessage> RequireVisibleMessage(Connection& db, const AppId& app, const MessageId& id,
                                             const UserId& user) {
  RELAYER_ASSIGN_OR_RETURN(auto row, FindMessageRow(db, id));
  if (!row) return NotFound("message not found");
  return RequireVisible(db, std::move(*row), app, user);
}

Result<VisibleMessage> RequireVisible(Connection& db, MessageRow row, const AppId& app,
                                      const UserId& user) {
  if (row.app != app) return NotFound("message not found");
  RELAYER_ASSIGN_OR_RETURN(auto p, FindParticipant(db, row.conv, user));
  if (!p) return NotFound("message not found");
  RELAYER_ASSIGN_OR_RETURN(bool visible, MessageVisible(db, row, user, *p));
  if (!visible) return NotFound("message not found");
  return VisibleMessage{std::move(row), *p};
}

std::string RecipientStatusPath(const UserId& user) {
  return "recipient_status." + EscapePatchSegment(IdentityUrl(user));
}

Status UpsertIdentityRow(Connection& db, const AppId& app, const Identity& i, TimeMs now) {
  auto q = db.Prepare(
      "INSERT INTO identities (app, user_id, display_name, avatar_url, first_name, last_name, "
      "email_address, phone_number, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (app, user_id) DO UPDATE SET display_name = excluded.display_name, "
      "avatar_url = excluded.avatar_url, first_name = excluded.first_name, "
      "last_name = excluded.last_name, email_address = excluded.email_address, "
      "phone_number = excluded.phone_number, updated_at = excluded.updated_at");
  q.Bind(1, app.str()).Bind(2, i.user_id.str()).Bind(3, i.display_name).Bind(4, i.avatar_url);
  q.Bind(5, i.first_name).Bind(6, i.last_name).Bind(7, i.email_address).Bind(8, i.phone_number);
  q.Bind(9, now);
  return q.Exec();
}

}  // namespace relayer::sqlite
