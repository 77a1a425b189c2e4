// Messages and receipts on PostgreSQL.
#include "store/postgres/ops.h"

namespace relayer::pg {

Status Apply(PgOpContext&, const CreateMessageOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const DeleteMessageOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const PostReceiptOp&, WriteResult&) { return NotImplemented(); }

}  // namespace relayer::pg
