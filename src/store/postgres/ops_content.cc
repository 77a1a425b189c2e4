// Rich content on PostgreSQL: declaring content, completing its upload (write-once, also between
// nodes racing), and attaching it to messages.
#include "store/postgres/ops.h"
#include "store/postgres/reads.h"
#include "store/postgres/sql.h"

namespace relayer::pg {

Status Apply(PgOpContext& ctx, const CreateContentOp& op, WriteResult&) {
  const ContentInfo& c = op.content;
  if (c.id.empty()) return MissingProperty("id", "content needs an id");
  if (c.size < 0) return InvalidProperty("size", "content size must not be negative");
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, ctx.db.Query("INSERT INTO content (id, app, uploader, mime_type, size, created_at) "
                           "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING "
                           "RETURNING 1",
                           {P(c.id.str()), P(op.app_id.str()), P(c.uploader.str()), P(c.mime_type),
                            P(c.size), P(c.created_at)}));
  if (r.rows.empty()) return Status(ErrorCode::kIdInUse, "content id is in use");
  return Status::Ok();
}

Status Apply(PgOpContext& ctx, const CompleteContentOp& op, WriteResult&) {
  RELAYER_ASSIGN_OR_RETURN(ContentInfo c, ReadContent(ctx.db, op.id));
  if (c.app_id != op.app_id) return NotFound("content not found");
  // The condition makes completion write-once even when two nodes complete at the same time.
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, ctx.db.Query("UPDATE content SET uploaded_at = $2 WHERE id = $1 AND uploaded_at IS "
                           "NULL RETURNING 1",
                           {P(op.id.str()), P(op.now)}));
  if (r.rows.empty()) return Status(ErrorCode::kConflict, "content is already uploaded");
  return Status::Ok();
}

Status AttachContent(PgOpContext& ctx, const AppId& app, const Sender& sender,
                     const ConversationId& conv, std::vector<MessagePart>& parts) {
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!parts[i].content) continue;
    ContentRef& ref = *parts[i].content;
    const std::string property = "parts[" + std::to_string(i) + "].content";
    auto found = ReadContent(ctx.db, ref.id);
    if (!found.ok() && found.status().code() != ErrorCode::kNotFound) return found.status();
    // Someone else's content reads as unknown: a sender learns nothing of others' uploads.
    const bool usable =
        found.ok() && found->app_id == app &&
        (!sender.user_id || sender.user_id->empty() || found->uploader == *sender.user_id);
    if (!usable) {
      return InvalidProperty(property + ".id", "no content " + ref.id.str() +
                                                   " uploaded by the sender (POST /content)");
    }
    if (!found->uploaded_at) {
      return InvalidProperty(property + ".id",
                             "content " + ref.id.str() + " is not completely uploaded yet");
    }
    // The upload's own length is the truth: the Web SDK sends a text part's length in UTF-16
    // code units (JavaScript's string length), not the bytes it uploaded.
    ref.size = found->size;
    RELAYER_RETURN_IF_ERROR(
        ctx.db
            .Query("INSERT INTO conversation_content (app, conv, content) VALUES ($1, $2, $3) "
                   "ON CONFLICT DO NOTHING",
                   {P(app.str()), P(conv.str()), P(ref.id.str())})
            .status());
  }
  return Status::Ok();
}

}  // namespace relayer::pg
