// Platform API writes: identity removal, block lists, badges, If-None-Match answers.
#include "store/sqlite/ops.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {

// Every write here is the app's, through the Platform API.
const SyncActor kPlatform = SyncActor::Service("Platform API");

Status ApplyOp(OpContext& ctx, const DeleteIdentityOp& op, WriteResult& out) {
  auto q = ctx.db.Prepare("DELETE FROM identities WHERE app = ?1 AND user_id = ?2");
  q.Bind(1, op.app_id.str()).Bind(2, op.user_id.str());
  RELAYER_RETURN_IF_ERROR(q.Exec());
  if (ctx.db.Changes() == 0) return NotFound("identity not found");
  return LogSync(ctx, op.app_id, op.now,
                 {kPlatform, SyncVerb::kIdentityDeleted, op.user_id.str(), {}, ""}, out);
}

Status ApplyOp(OpContext& ctx, const BlockUserOp& op, WriteResult& out) {
  if (op.owner == op.blocked) return InvalidProperty("user_id", "a user cannot block themselves");
  auto q = ctx.db.Prepare(
      "INSERT OR IGNORE INTO blocks (app, owner, blocked, created_at) VALUES (?1, ?2, ?3, ?4)");
  q.Bind(1, op.app_id.str()).Bind(2, op.owner.str()).Bind(3, op.blocked.str()).Bind(4, op.now);
  RELAYER_RETURN_IF_ERROR(q.Exec());
  if (ctx.db.Changes() == 0) return Status::Ok();  // already blocked: nothing happened
  return LogSync(ctx, op.app_id, op.now,
                 {kPlatform, SyncVerb::kUserBlocked, op.blocked.str(), {}, OwnerDetail(op.owner)},
                 out);
}

Status ApplyOp(OpContext& ctx, const UnblockUserOp& op, WriteResult& out) {
  auto q = ctx.db.Prepare("DELETE FROM blocks WHERE app = ?1 AND owner = ?2 AND blocked = ?3");
  q.Bind(1, op.app_id.str()).Bind(2, op.owner.str()).Bind(3, op.blocked.str());
  RELAYER_RETURN_IF_ERROR(q.Exec());
  if (ctx.db.Changes() == 0) return NotFound("user is not blocked");
  return LogSync(ctx, op.app_id, op.now,
                 {kPlatform, SyncVerb::kUserUnblocked, op.blocked.str(), {}, OwnerDetail(op.owner)},
                 out);
}

Status ApplyOp(OpContext& ctx, const SetBadgeOp& op, WriteResult&) {
  if (op.external_unread_count < 0) {
    return InvalidProperty("external_unread_count", "external_unread_count must not be negative");
  }
  auto q = ctx.db.Prepare(
      "INSERT INTO badges (app, user_id, external_unread_count, updated_at) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (app, user_id) DO UPDATE SET "
      "external_unread_count = excluded.external_unread_count, updated_at = excluded.updated_at");
  q.Bind(1, op.app_id.str()).Bind(2, op.user_id.str()).Bind(3, op.external_unread_count);
  q.Bind(4, op.now);
  return q.Exec();
}

Status ApplyOp(OpContext& ctx, const RememberDedupOp& op, WriteResult&) {
  auto purge = ctx.db.Prepare("DELETE FROM platform_dedup WHERE expires_at <= ?1");
  purge.Bind(1, op.now);
  RELAYER_RETURN_IF_ERROR(purge.Exec());
  // The first answer stays: a concurrent duplicate must not replace what was already returned.
  auto q = ctx.db.Prepare(
      "INSERT OR IGNORE INTO platform_dedup (app, key, status, body, created_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  q.Bind(1, op.app_id.str()).Bind(2, op.key).Bind(3, static_cast<int64_t>(op.status));
  q.Bind(4, op.body).Bind(5, op.now).Bind(6, op.expires_at);
  return q.Exec();
}

}  // namespace relayer::sqlite
