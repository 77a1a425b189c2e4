// Platform API state on PostgreSQL: identity delete, blocks, badges, If-None-Match answers.
#include "store/postgres/ops.h"

namespace relayer::pg {

Status Apply(PgOpContext&, const DeleteIdentityOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const BlockUserOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const UnblockUserOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const SetBadgeOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const RememberDedupOp&, WriteResult&) { return NotImplemented(); }

}  // namespace relayer::pg
