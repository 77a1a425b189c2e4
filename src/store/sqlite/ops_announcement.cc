// Announcement writes: create (fanned out to its recipients), receipts, hiding for a recipient.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/layer_patch.h"
#include "core/receipts.h"
#include "core/validation.h"
#include "store/sqlite/codec.h"
#include "store/sqlite/ops.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {
namespace json = boost::json;
namespace {

Change AnnouncementChange(ChangeOp op, const MessageId& id, std::vector<UserId> recipients,
                          std::string data) {
  Change c;
  c.op = op;
  c.type = ObjectType::kAnnouncement;
  c.object_id = id.str();
  c.recipients = std::move(recipients);
  c.data_json = std::move(data);
  return c;
}

// The announcement, when `user` is one of its (non-hiding) recipients.
Result<AnnouncementRow> RequireRecipient(Connection& db, const AppId& app, const MessageId& id,
                                         const UserId& user) {
  RELAYER_ASSIGN_OR_RETURN(auto row, FindAnnouncementRow(db, id));
  if (!row || row->app != app) return NotFound("announcement not found");
  RELAYER_ASSIGN_OR_RETURN(bool mine, IsAnnouncementRecipient(db, app, user, row->rowid));
  if (!mine) return NotFound("announcement not found");
  return std::move(*row);
}

}  // namespace

Status ApplyOp(OpContext& ctx, const CreateAnnouncementOp& op, WriteResult& out) {
  if (op.sender_name.empty()) return MissingProperty("sender", "an announcement needs sender.name");
  std::vector<UserId> recipients = NormalizeParticipants(op.recipients);
  if (recipients.empty()) return MissingProperty("recipients", "recipients is required");
  RELAYER_RETURN_IF_ERROR(ValidateParts(op.parts, ctx.limits));
  RELAYER_ASSIGN_OR_RETURN(auto existing, FindAnnouncementRow(ctx.db, op.id));
  if (existing) return Status(ErrorCode::kIdInUse, "announcement id is in use");

  Message m;
  m.id = op.id;
  m.sender.name = op.sender_name;
  m.sent_at = op.now;
  m.parts = op.parts;
  m.notification = op.notification;
  for (const UserId& u : recipients) m.recipient_status[u] = ReceiptState::kSent;
  auto q = ctx.db.Prepare(
      "INSERT INTO announcements (id, app, sender_name, sent_at, parts, notification, "
      "recipient_status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  q.Bind(1, m.id.str()).Bind(2, op.app_id.str()).Bind(3, m.sender.name).Bind(4, m.sent_at);
  q.Bind(5, EncodeParts(m.parts));
  if (m.notification) {
    q.Bind(6, EncodeObject(*m.notification));
  } else {
    q.BindNull(6);
  }
  q.Bind(7, EncodeRecipientStatus(m.recipient_status));
  RELAYER_RETURN_IF_ERROR(q.Exec());
  const int64_t rowid = ctx.db.LastInsertRowid();
  auto r = ctx.db.Prepare(
      "INSERT INTO announcement_recipients (app, user_id, ann) "
      "SELECT ?1, value, ?2 FROM json_each(?3)");
  r.Bind(1, op.app_id.str()).Bind(2, rowid).Bind(3, EncodeUsers(recipients));
  RELAYER_RETURN_IF_ERROR(r.Exec());
  const auto count = static_cast<int64_t>(recipients.size());
  RELAYER_RETURN_IF_ERROR(
      EmitChange(ctx.db, op.app_id, op.now,
                 AnnouncementChange(ChangeOp::kCreate, m.id, std::move(recipients), ""), out));
  RELAYER_RETURN_IF_ERROR(LogSync(ctx, op.app_id, op.now,
                                  {SyncActor::Service(op.sender_name),
                                   SyncVerb::kAnnouncementSent,
                                   m.id.str(),
                                   {},
                                   CountDetail(count)},
                                  out));
  out.message = std::move(m);
  return Status::Ok();
}

Status ApplyOp(OpContext& ctx, const AnnouncementReceiptOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(AnnouncementRow row,
                           RequireRecipient(ctx.db, op.app_id, op.id, op.actor));
  Message& m = row.message;
  auto it = m.recipient_status.find(op.actor);
  if (it == m.recipient_status.end()) return NotFound("announcement not found");
  const ReceiptState after = ApplyReceipt(it->second, op.type);
  if (after != it->second) {
    it->second = after;
    auto q = ctx.db.Prepare("UPDATE announcements SET recipient_status = ?1 WHERE rowid = ?2");
    q.Bind(1, EncodeRecipientStatus(m.recipient_status)).Bind(2, row.rowid);
    RELAYER_RETURN_IF_ERROR(q.Exec());
    // Recipients do not see each other: the update goes to the reader only.
    json::array patch{PatchSet(RecipientStatusPath(op.actor), ReceiptStateName(after))};
    RELAYER_RETURN_IF_ERROR(EmitChange(
        ctx.db, op.app_id, op.now,
        AnnouncementChange(ChangeOp::kUpdate, m.id, {op.actor}, json::serialize(patch)), out));
  }
  out.message = std::move(m);
  return Status::Ok();
}

Status ApplyOp(OpContext& ctx, const HideAnnouncementOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(AnnouncementRow row,
                           RequireRecipient(ctx.db, op.app_id, op.id, op.actor));
  auto q = ctx.db.Prepare(
      "DELETE FROM announcement_recipients WHERE app = ?1 AND user_id = ?2 AND ann = ?3");
  q.Bind(1, op.app_id.str()).Bind(2, op.actor.str()).Bind(3, row.rowid);
  RELAYER_RETURN_IF_ERROR(q.Exec());
  return EmitChange(
      ctx.db, op.app_id, op.now,
      AnnouncementChange(ChangeOp::kDelete, op.id, {op.actor}, R"({"mode":"my_devices"})"), out);
}

}  // namespace relayer::sqlite
