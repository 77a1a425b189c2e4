// Nonces, sessions and identity upserts on PostgreSQL.
#include "store/postgres/ops.h"
#include "store/postgres/sql.h"

namespace relayer::pg {
namespace {

bool SameProfile(const Identity& a, const Identity& b) {
  return a.display_name == b.display_name && a.avatar_url == b.avatar_url &&
         a.first_name == b.first_name && a.last_name == b.last_name &&
         a.email_address == b.email_address && a.phone_number == b.phone_number;
}

}  // namespace

Status Apply(PgOpContext& ctx, const CreateNonceOp& op, WriteResult&) {
  return ctx.db
      .Query("INSERT INTO nonces (app, nonce, created_at, expires_at) VALUES ($1, $2, $3, $4)",
             {op.app_id.str(), op.nonce.str(), P(op.now), P(op.expires_at)})
      .status();
}

Status Apply(PgOpContext& ctx, const StartSessionOp& op, WriteResult& out) {
  // Consume the nonce: any unused, unexpired nonce matches (POST /nonces names no app). The row
  // lock makes a nonce single-use across nodes too: a second node's UPDATE waits, then sees it
  // used and matches nothing.
  RELAYER_ASSIGN_OR_RETURN(
      Rows used, ctx.db.Query("UPDATE nonces SET used = true WHERE nonce = $1 AND NOT used AND "
                              "expires_at > $2 RETURNING 1",
                              {op.nonce.str(), P(op.now)}));
  if (used.rows.size() != 1) {
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
  RELAYER_RETURN_IF_ERROR(
      ctx.db
          .Query("INSERT INTO sessions (token, app, user_id, created_at, expires_at) "
                 "VALUES ($1, $2, $3, $4, $5)",
                 {op.token.str(), op.app_id.str(), user, P(op.now), P(op.expires_at)})
          .status());
  out.session = Session{op.token, op.app_id, op.identity.user_id, op.now, op.expires_at};
  return Status::Ok();
}

Status Apply(PgOpContext& ctx, const DeleteSessionOp& op, WriteResult&) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      ctx.db.Query("DELETE FROM sessions WHERE token = $1 RETURNING 1", {op.token.str()}));
  if (rows.rows.empty()) return NotFound("session not found");
  return Status::Ok();
}

Status Apply(PgOpContext& ctx, const UpsertIdentityOp& op, WriteResult& out) {
  RELAYER_RETURN_IF_ERROR(UpsertIdentityRow(ctx.db, op.app_id, op.identity, op.now));
  return LogSync(ctx, op.app_id, op.now,
                 {SyncActor::Service("Platform API"),
                  SyncVerb::kIdentityUpdated,
                  op.identity.user_id.str(),
                  {},
                  ""},
                 out);
}

}  // namespace relayer::pg
