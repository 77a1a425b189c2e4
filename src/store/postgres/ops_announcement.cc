// Announcements on PostgreSQL: create (fanned out to its recipients), receipts, hiding for a
// recipient.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/layer_patch.h"
#include "core/receipts.h"
#include "core/validation.h"
#include "store/postgres/announcements.h"
#include "store/postgres/ops.h"
#include "store/postgres/sql.h"
#include "store/sqlite/codec.h"

namespace relayer::pg {
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
                                         const UserId& user, bool lock) {
  RELAYER_ASSIGN_OR_RETURN(auto row, FindAnnouncementRow(db, app, id, lock));
  if (!row) return NotFound("announcement not found");
  RELAYER_ASSIGN_OR_RETURN(bool mine, IsAnnouncementRecipient(db, app, user, row->seq));
  if (!mine) return NotFound("announcement not found");
  return std::move(*row);
}

}  // namespace

Status Apply(PgOpContext& ctx, const CreateAnnouncementOp& op, WriteResult& out) {
  if (op.sender_name.empty()) return MissingProperty("sender", "an announcement needs sender.name");
  std::vector<UserId> recipients = NormalizeParticipants(op.recipients);
  if (recipients.empty()) return MissingProperty("recipients", "recipients is required");
  RELAYER_RETURN_IF_ERROR(ValidateParts(op.parts, ctx.limits));
  RELAYER_ASSIGN_OR_RETURN(auto existing, FindAnnouncementRow(ctx.db, op.app_id, op.id));
  if (existing) return Status(ErrorCode::kIdInUse, "announcement id is in use");

  Message m;
  m.id = op.id;
  m.sender.name = op.sender_name;
  m.sent_at = op.now;
  m.parts = op.parts;
  m.notification = op.notification;
  for (const UserId& u : recipients) m.recipient_status[u] = ReceiptState::kSent;
  Param notification = m.notification ? P(sqlite::EncodeObject(*m.notification)) : Null();
  auto inserted = ctx.db.Query(
      "INSERT INTO announcements (app, id, sender_name, sent_at, parts, notification, "
      "recipient_status) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
      {P(op.app_id.str()), P(m.id.str()), P(m.sender.name), P(m.sent_at),
       P(sqlite::EncodeParts(m.parts)), std::move(notification),
       P(sqlite::EncodeRecipientStatus(m.recipient_status))});
  // Another node created the same id since the check above.
  if (inserted.status().code() == ErrorCode::kConflict) {
    return Status(ErrorCode::kIdInUse, "announcement id is in use");
  }
  RELAYER_RETURN_IF_ERROR(inserted.status());
  if (inserted->rows.empty()) return Internal("announcement insert returned no seq");
  const int64_t seq = Int(inserted->rows[0][0]);
  std::vector<std::string> users;
  for (const UserId& u : recipients) users.push_back(u.str());
  RELAYER_RETURN_IF_ERROR(ctx.db
                              .Query("INSERT INTO announcement_recipients (app, user_id, ann) "
                                     "SELECT $1, u, $2 FROM unnest($3::text[]) AS u",
                                     {P(op.app_id.str()), P(seq), P(TextArray(users))})
                              .status());
  const auto count = static_cast<int64_t>(recipients.size());
  RELAYER_RETURN_IF_ERROR(
      EmitChange(ctx, op.app_id, op.now,
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

Status Apply(PgOpContext& ctx, const AnnouncementReceiptOp& op, WriteResult& out) {
  // Locked: two recipients' receipts on different nodes must not overwrite each other's state.
  RELAYER_ASSIGN_OR_RETURN(AnnouncementRow row,
                           RequireRecipient(ctx.db, op.app_id, op.id, op.actor, /*lock=*/true));
  Message& m = row.message;
  auto it = m.recipient_status.find(op.actor);
  if (it == m.recipient_status.end()) return NotFound("announcement not found");
  const ReceiptState after = ApplyReceipt(it->second, op.type);
  if (after != it->second) {
    it->second = after;
    RELAYER_RETURN_IF_ERROR(
        ctx.db
            .Query("UPDATE announcements SET recipient_status = $1 WHERE seq = $2",
                   {P(sqlite::EncodeRecipientStatus(m.recipient_status)), P(row.seq)})
            .status());
    // Recipients do not see each other: the update goes to the reader only.
    json::array patch{PatchSet(RecipientStatusPath(op.actor), ReceiptStateName(after))};
    RELAYER_RETURN_IF_ERROR(EmitChange(
        ctx, op.app_id, op.now,
        AnnouncementChange(ChangeOp::kUpdate, m.id, {op.actor}, json::serialize(patch)), out));
  }
  out.message = std::move(m);
  return Status::Ok();
}

Status Apply(PgOpContext& ctx, const HideAnnouncementOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(AnnouncementRow row,
                           RequireRecipient(ctx.db, op.app_id, op.id, op.actor, /*lock=*/false));
  RELAYER_RETURN_IF_ERROR(
      ctx.db
          .Query("DELETE FROM announcement_recipients WHERE app = $1 AND user_id = $2 AND ann = $3",
                 {P(op.app_id.str()), P(op.actor.str()), P(row.seq)})
          .status());
  return EmitChange(
      ctx, op.app_id, op.now,
      AnnouncementChange(ChangeOp::kDelete, op.id, {op.actor}, R"({"mode":"my_devices"})"), out);
}

}  // namespace relayer::pg
