// Nonces, sessions and identity upserts on PostgreSQL.
#include "store/postgres/ops.h"

namespace relayer::pg {

Status Apply(PgOpContext&, const CreateNonceOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const StartSessionOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const DeleteSessionOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const UpsertIdentityOp&, WriteResult&) { return NotImplemented(); }

}  // namespace relayer::pg
