#include "store/postgres/ops.h"

#include <exception>

#include "store/postgres/sql.h"

namespace relayer::pg {

Status NotImplemented() {
  return Status(ErrorCode::kInvalidOperation, "not implemented on PostgreSQL yet");
}

WriteResult ApplyWrite(Connection& db, const Limits& limits, const WriteOp& op) {
  PgOpContext ctx{db, limits};
  WriteResult out;
  // Webhook and push events are recorded in the same transaction as the write itself.
  auto pre = SnapshotBefore(ctx, op);
  if (!pre.ok()) {
    out.status = pre.status();
    return out;
  }
  out.status = std::visit([&](const auto& o) { return Apply(ctx, o, out); }, op);
  if (out.status.ok()) out.status = RecordEvents(ctx, op, *pre, out);
  return out;
}

}  // namespace relayer::pg
