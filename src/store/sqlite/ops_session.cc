// Nonces, sessions and identities.
#include "store/sqlite/ops.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {
namespace {

bool SameProfile(const Identity& a, const Identity& b) {
  return a.display_name == b.display_name && a.avatar_url == b.avatar_url &&
         a.first_name == b.first_name && a.last_name == b.last_name &&
         a.email_address == b.email_address && a.phone_number == b.phone_number;
}

}  // namespace

Status ApplyOp(OpContext& ctx, const CreateNonceOp& op, WriteResult&) {
  auto q = ctx.db.Prepare(
      "INSERT INTO nonces (app, nonce, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)");
  q.Bind(1, op.app_id.str()).Bind(2, op.nonce.str()).Bind(3, op.now).Bind(4, op.expires_at);
  return q.Exec();
}

Status ApplyOp(OpContext& ctx, const StartSessionOp& op, WriteResult& out) {
  {
    // Consume the nonce: any unused, unexpired nonce matches (POST /nonces names no app).
    auto q = ctx.db.Prepare(
        "UPDATE nonces SET used = 1 WHERE nonce = ?1 AND used = 0 AND expires_at > ?2");
    q.Bind(1, op.nonce.str()).Bind(2, op.now);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  if (ctx.db.Changes() != 1) {
    return InvalidProperty("identity_token",
                           "the identity token's nonce is unknown, already used or expired");
  }
  RELAYER_ASSIGN_OR_RETURN(auto before, FindIdentity(ctx.db, op.app_id, op.identity.user_id));
  RELAYER_RETURN_IF_ERROR(UpsertIdentityRow(ctx.db, op.app_id, op.identity, op.now));
  const SyncActor actor = SyncActor::User(op.identity.user_id);
  const std::string user = op.identity.user_id.str();
  if (!before || !SameProfile(*before, op.identity)) {
    RELAYER_RETURN_IF_ERROR(
        LogSync(ctx, op.app_id, op.now, {actor, SyncVerb::kIdentityUpdated, user, {}, ""}, out));
  }
  RELAYER_RETURN_IF_ERROR(
      LogSync(ctx, op.app_id, op.now, {actor, SyncVerb::kSessionStarted, user, {}, ""}, out));
  auto q = ctx.db.Prepare(
      "INSERT INTO sessions (token, app, user_id, created_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  q.Bind(1, op.token.str()).Bind(2, op.app_id.str()).Bind(3, op.identity.user_id.str());
  q.Bind(4, op.now).Bind(5, op.expires_at);
  RELAYER_RETURN_IF_ERROR(q.Exec());
  out.session = Session{op.token, op.app_id, op.identity.user_id, op.now, op.expires_at};
  return Status::Ok();
}

Status ApplyOp(OpContext& ctx, const DeleteSessionOp& op, WriteResult&) {
  auto q = ctx.db.Prepare("DELETE FROM sessions WHERE token = ?1");
  q.Bind(1, op.token.str());
  RELAYER_RETURN_IF_ERROR(q.Exec());
  if (ctx.db.Changes() == 0) return NotFound("session not found");
  return Status::Ok();
}

Status ApplyOp(OpContext& ctx, const UpsertIdentityOp& op, WriteResult& out) {
  RELAYER_RETURN_IF_ERROR(UpsertIdentityRow(ctx.db, op.app_id, op.identity, op.now));
  return LogSync(ctx, op.app_id, op.now,
                 {SyncActor::Service("Platform API"),
                  SyncVerb::kIdentityUpdated,
                  op.identity.user_id.str(),
                  {},
                  ""},
                 out);
}

}  // namespace relayer::sqlite
