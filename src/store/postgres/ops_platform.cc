// Platform API state on PostgreSQL: identity delete, blocks, badges, If-None-Match answers.
#include "store/postgres/ops.h"
#include "store/postgres/sql.h"

namespace relayer::pg {
namespace {

// Every write here is the app's, through the Platform API.
const SyncActor kPlatform = SyncActor::Service("Platform API");

// Rows a statement with RETURNING touched.
Result<size_t> Count(Connection& db, const std::string& sql, const std::vector<Param>& params) {
  RELAYER_ASSIGN_OR_RETURN(Rows r, db.Query(sql, params));
  return r.rows.size();
}

}  // namespace

Status Apply(PgOpContext& ctx, const DeleteIdentityOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(
      size_t n, Count(ctx.db, "DELETE FROM identities WHERE app = $1 AND user_id = $2 RETURNING 1",
                      {P(op.app_id.str()), P(op.user_id.str())}));
  if (n == 0) return NotFound("identity not found");
  return LogSync(ctx, op.app_id, op.now,
                 {kPlatform, SyncVerb::kIdentityDeleted, op.user_id.str(), {}, ""}, out);
}

Status Apply(PgOpContext& ctx, const BlockUserOp& op, WriteResult& out) {
  if (op.owner == op.blocked) return InvalidProperty("user_id", "a user cannot block themselves");
  RELAYER_ASSIGN_OR_RETURN(
      size_t n, Count(ctx.db,
                      "INSERT INTO blocks (app, owner, blocked, created_at) VALUES ($1, $2, $3, "
                      "$4) ON CONFLICT DO NOTHING RETURNING 1",
                      {P(op.app_id.str()), P(op.owner.str()), P(op.blocked.str()), P(op.now)}));
  if (n == 0) return Status::Ok();  // already blocked: nothing happened
  return LogSync(ctx, op.app_id, op.now,
                 {kPlatform, SyncVerb::kUserBlocked, op.blocked.str(), {}, OwnerDetail(op.owner)},
                 out);
}

Status Apply(PgOpContext& ctx, const UnblockUserOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(
      size_t n, Count(ctx.db,
                      "DELETE FROM blocks WHERE app = $1 AND owner = $2 AND blocked = $3 "
                      "RETURNING 1",
                      {P(op.app_id.str()), P(op.owner.str()), P(op.blocked.str())}));
  if (n == 0) return NotFound("user is not blocked");
  return LogSync(ctx, op.app_id, op.now,
                 {kPlatform, SyncVerb::kUserUnblocked, op.blocked.str(), {}, OwnerDetail(op.owner)},
                 out);
}

Status Apply(PgOpContext& ctx, const SetBadgeOp& op, WriteResult&) {
  if (op.external_unread_count < 0) {
    return InvalidProperty("external_unread_count", "external_unread_count must not be negative");
  }
  return ctx.db
      .Query(
          "INSERT INTO badges (app, user_id, external_unread_count, updated_at) VALUES ($1, $2, "
          "$3, $4) ON CONFLICT (app, user_id) DO UPDATE SET external_unread_count = "
          "excluded.external_unread_count, updated_at = excluded.updated_at",
          {P(op.app_id.str()), P(op.user_id.str()), P(op.external_unread_count), P(op.now)})
      .status();
}

Status Apply(PgOpContext& ctx, const RememberDedupOp& op, WriteResult&) {
  RELAYER_RETURN_IF_ERROR(
      ctx.db.Query("DELETE FROM platform_dedup WHERE expires_at <= $1", {P(op.now)}).status());
  // The first answer stays: a concurrent duplicate (on this node or another) must not replace
  // what was already returned.
  return ctx.db
      .Query(
          "INSERT INTO platform_dedup (app, key, status, body, created_at, expires_at) VALUES "
          "($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
          {P(op.app_id.str()), P(op.key), P(static_cast<int64_t>(op.status)), P(op.body), P(op.now),
           P(op.expires_at)})
      .status();
}

}  // namespace relayer::pg
