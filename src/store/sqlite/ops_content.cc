// Rich content writes: declaring content, completing its upload, and attaching it to messages.
#include "store/sqlite/ops.h"
#include "store/sqlite/reads.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {

Status ApplyOp(OpContext& ctx, const CreateContentOp& op, WriteResult&) {
  const ContentInfo& c = op.content;
  if (c.id.empty()) return MissingProperty("id", "content needs an id");
  if (c.size < 0) return InvalidProperty("size", "content size must not be negative");
  auto q = ctx.db.Prepare(
      "INSERT OR IGNORE INTO content (id, app, uploader, mime_type, size, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  q.Bind(1, c.id.str()).Bind(2, op.app_id.str()).Bind(3, c.uploader.str()).Bind(4, c.mime_type);
  q.Bind(5, c.size).Bind(6, c.created_at);
  RELAYER_RETURN_IF_ERROR(q.Exec());
  if (ctx.db.Changes() == 0) return Status(ErrorCode::kIdInUse, "content id is in use");
  return Status::Ok();
}

Status ApplyOp(OpContext& ctx, const CompleteContentOp& op, WriteResult&) {
  RELAYER_ASSIGN_OR_RETURN(ContentInfo c, ReadContent(ctx.db, op.id));
  if (c.app_id != op.app_id) return NotFound("content not found");
  if (c.uploaded_at) return Status(ErrorCode::kConflict, "content is already uploaded");
  auto q = ctx.db.Prepare("UPDATE content SET uploaded_at = ?2 WHERE id = ?1");
  q.Bind(1, op.id.str()).Bind(2, op.now);
  return q.Exec();
}

Status AttachContent(Connection& db, const AppId& app, const Sender& sender, int64_t conv,
                     std::vector<MessagePart>& parts) {
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!parts[i].content) continue;
    ContentRef& ref = *parts[i].content;
    const std::string property = "parts[" + std::to_string(i) + "].content";
    auto found = ReadContent(db, ref.id);
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
    auto q =
        db.Prepare("INSERT OR IGNORE INTO conversation_content (content, conv) VALUES (?1, ?2)");
    q.Bind(1, ref.id.str()).Bind(2, conv);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  return Status::Ok();
}

}  // namespace relayer::sqlite
