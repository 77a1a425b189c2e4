// Conversations on PostgreSQL: create (distinct claims), patch, delete, mark-all-read.
#include "store/postgres/ops.h"

namespace relayer::pg {

Status Apply(PgOpContext&, const CreateConversationOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const PatchConversationOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const DeleteConversationOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const MarkAllReadOp&, WriteResult&) { return NotImplemented(); }

}  // namespace relayer::pg
