// /users/U/identity: create (POST), replace (PUT), edit (PATCH with Layer-Patch set/delete of
// top-level properties), read (GET), delete (DELETE). The profile is the one the Client API's
// GET /identities/U and every basic identity show.
#include <array>

#include "core/layer_patch.h"
#include "core/representation.h"
#include "server/api/json_input.h"
#include "server/platform/platform_impl.h"

namespace relayer::server {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

constexpr std::array<std::string_view, 6> kFields = {
    "display_name", "avatar_url", "first_name", "last_name", "email_address", "phone_number"};

std::string* FieldOf(Identity& i, std::string_view name) {
  if (name == "display_name") return &i.display_name;
  if (name == "avatar_url") return &i.avatar_url;
  if (name == "first_name") return &i.first_name;
  if (name == "last_name") return &i.last_name;
  if (name == "email_address") return &i.email_address;
  if (name == "phone_number") return &i.phone_number;
  return nullptr;
}

Status CheckLengths(const Identity& i, const Limits& limits) {
  if (i.display_name.size() > limits.max_display_name) {
    return InvalidProperty(
        "display_name",
        "display_name is limited to " + std::to_string(limits.max_display_name) + " characters");
  }
  if (i.avatar_url.size() > limits.max_avatar_url) {
    return InvalidProperty("avatar_url", "avatar_url is limited to " +
                                             std::to_string(limits.max_avatar_url) + " characters");
  }
  // The other free-text fields share the avatar_url bound.
  for (const std::string* f : {&i.first_name, &i.last_name, &i.email_address, &i.phone_number}) {
    if (f->size() > limits.max_avatar_url) {
      return InvalidProperty("identity", "profile fields are limited to " +
                                             std::to_string(limits.max_avatar_url) + " characters");
    }
  }
  return Status::Ok();
}

// A full profile from a POST/PUT body; display_name is required (as layer-api checks too).
Result<Identity> IdentityFromBody(const UserId& user, std::string_view text, const Limits& limits) {
  auto body = ParseJsonObject(text);
  if (!body.ok()) return body.status();
  if (auto s = CheckKnownFields(*body, {"display_name", "avatar_url", "first_name", "last_name",
                                        "email_address", "phone_number"});
      !s.ok()) {
    return s;
  }
  Identity identity;
  identity.user_id = user;
  for (auto name : kFields) {
    auto v = OptString(*body, name);
    if (!v.ok()) return v.status();
    if (*v) *FieldOf(identity, name) = **v;
  }
  if (identity.display_name.empty()) {
    return MissingProperty("display_name", "display_name is required");
  }
  if (auto s = CheckLengths(identity, limits); !s.ok()) return s;
  return identity;
}

asio::awaitable<Result<Identity>> ReadIdentity(PlatformContext& ctx, const AppId& app,
                                               const UserId& user) {
  auto found_aw =
      RunBlocking(ctx.blocking, [&ctx, app, user] { return ctx.store.GetIdentity(app, user); });
  co_return co_await std::move(found_aw);
}

asio::awaitable<Response> Upsert(PlatformContext& ctx, const AppId& app, Identity identity,
                                 http::status success) {
  UpsertIdentityOp op;
  op.app_id = app;
  op.identity = std::move(identity);
  op.now = ctx.clock();
  auto written_aw = Write(ctx.store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return ErrorResponse(written.status);
  co_return EmptyResponse(success);
}

asio::awaitable<Response> PostIdentity(PlatformContext& ctx, PlatformCall& call) {
  auto user = UserParam(call, 0, ctx.limits());
  if (!user.ok()) co_return ErrorResponse(user.status());
  auto identity = IdentityFromBody(*user, call.req.body(), ctx.limits());
  if (!identity.ok()) co_return ErrorResponse(identity.status());
  auto existing_aw = ReadIdentity(ctx, call.app_id(), *user);
  auto existing = co_await std::move(existing_aw);
  if (existing.ok()) {
    co_return ErrorResponse(Status(ErrorCode::kConflict, "The identity exists; use PUT or PATCH"));
  }
  if (existing.status().code() != ErrorCode::kNotFound) co_return ErrorResponse(existing.status());
  auto answer = Upsert(ctx, call.app_id(), std::move(*identity), http::status::created);
  co_return co_await std::move(answer);
}

asio::awaitable<Response> PutIdentity(PlatformContext& ctx, PlatformCall& call) {
  auto user = UserParam(call, 0, ctx.limits());
  if (!user.ok()) co_return ErrorResponse(user.status());
  auto identity = IdentityFromBody(*user, call.req.body(), ctx.limits());
  if (!identity.ok()) co_return ErrorResponse(identity.status());
  auto answer = Upsert(ctx, call.app_id(), std::move(*identity), http::status::no_content);
  co_return co_await std::move(answer);
}

asio::awaitable<Response> PatchIdentity(PlatformContext& ctx, PlatformCall& call) {
  auto user = UserParam(call, 0, ctx.limits());
  if (!user.ok()) co_return ErrorResponse(user.status());
  auto doc = ParseJson(call.req.body());
  if (!doc.ok()) co_return ErrorResponse(doc.status());
  auto ops = ParsePatch(*doc);
  if (!ops.ok()) co_return ErrorResponse(ops.status());
  auto existing_aw = ReadIdentity(ctx, call.app_id(), *user);
  auto existing = co_await std::move(existing_aw);
  if (!existing.ok()) co_return ErrorResponse(existing.status());
  Identity identity = std::move(*existing);
  for (const PatchOp& op : *ops) {
    const std::string name = op.path.size() == 1 ? op.path[0] : "";
    std::string* field = FieldOf(identity, name);
    if (!field) co_return ErrorResponse(InvalidProperty(name, "'" + name + "' cannot be edited"));
    if (op.kind == PatchOpKind::kDelete) {
      field->clear();
    } else if (op.kind == PatchOpKind::kSet && op.value.is_string()) {
      *field = op.value.as_string();
    } else if (op.kind == PatchOpKind::kSet && op.value.is_null()) {
      field->clear();
    } else {
      co_return ErrorResponse(InvalidProperty(name, "only set (to a string) and delete apply"));
    }
  }
  if (auto s = CheckLengths(identity, ctx.limits()); !s.ok()) co_return ErrorResponse(s);
  auto answer = Upsert(ctx, call.app_id(), std::move(identity), http::status::no_content);
  co_return co_await std::move(answer);
}

asio::awaitable<Response> GetIdentity(PlatformContext& ctx, PlatformCall& call) {
  auto user = UserParam(call, 0, ctx.limits());
  if (!user.ok()) co_return ErrorResponse(user.status());
  auto found_aw = ReadIdentity(ctx, call.app_id(), *user);
  auto found = co_await std::move(found_aw);
  if (!found.ok()) co_return ErrorResponse(found.status());
  co_return JsonResponse(http::status::ok, IdentityJson(*found, call.base_url));
}

asio::awaitable<Response> DeleteIdentity(PlatformContext& ctx, PlatformCall& call) {
  auto user = UserParam(call, 0, ctx.limits());
  if (!user.ok()) co_return ErrorResponse(user.status());
  DeleteIdentityOp op;
  op.app_id = call.app_id();
  op.user_id = *user;
  op.now = ctx.clock();
  auto answer = WriteNoContent(ctx, std::move(op));
  co_return co_await std::move(answer);
}

}  // namespace

void RegisterIdentityRoutes(PlatformRouter& router) {
  using V = http::verb;
  router.Add(V::post, "/users/:user/identity", {PostIdentity});
  router.Add(V::put, "/users/:user/identity", {PutIdentity});
  router.Add(V::patch, "/users/:user/identity", {PatchIdentity});
  router.Add(V::get, "/users/:user/identity", {GetIdentity});
  router.Add(V::delete_, "/users/:user/identity", {DeleteIdentity});
}

}  // namespace relayer::server
