// Rich content on PostgreSQL.
#include "store/postgres/ops.h"

namespace relayer::pg {

Status Apply(PgOpContext&, const CreateContentOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const CompleteContentOp&, WriteResult&) { return NotImplemented(); }

Status AttachContent(PgOpContext&, const AppId&, const Sender&, const ConversationId&,
                     std::vector<MessagePart>& parts) {
  for (const MessagePart& p : parts) {
    if (p.content) return NotImplemented();
  }
  return Status::Ok();
}

}  // namespace relayer::pg
