// /conversations as the app: create (no creator participant), get, Layer-Patch, delete.
#include "core/layer_patch.h"
#include "core/validation.h"
#include "server/api/client_api_impl.h"
#include "server/api/json_input.h"
#include "server/auth/crypto.h"
#include "server/platform/platform_impl.h"
#include "server/platform/platform_json.h"

namespace relayer::server {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

asio::awaitable<Response> PostConversation(PlatformContext& ctx, PlatformCall& call) {
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  CreateConversationOp op;
  if (auto s = ParseConversationCreate(*body, ctx.limits(), op); !s.ok()) {
    co_return ErrorResponse(s);
  }
  if (op.participants.empty()) {
    co_return ErrorResponse(MissingProperty("participants", "participants must not be empty"));
  }
  op.app_id = call.app_id();
  op.creator = AppActor();
  op.now = ctx.clock();
  op.generated_id = ConversationId(TimeOrderedUuid(op.now));
  auto r_aw = Write(ctx.store, std::move(op));
  auto r = co_await std::move(r_aw);
  if (!r.status.ok()) co_return ErrorResponse(r.status);
  json::value conv =
      r.conversation ? json::value(PlatformConversationJson(
                           *r.conversation, AppActor(), call.AppUrl(), ctx.options.content_links))
                     : json::value(nullptr);
  if (auto s = CreateOutcomeStatus(r.outcome, "conversation"); !s.ok()) {
    co_return ErrorResponse(s, std::move(conv));
  }
  if (r.outcome == CreateOutcome::kExisting) co_return JsonResponse(http::status::ok, conv);
  auto res = JsonResponse(http::status::created, conv);
  res.set(http::field::location, conv.as_object()["url"].as_string());
  co_return res;
}

asio::awaitable<Response> GetConversation(PlatformContext& ctx, PlatformCall& call) {
  auto id = ConversationParam(call, 0);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto conv_aw = RunBlocking(ctx.blocking, [&ctx, app = call.app_id(), id = *id] {
    return ctx.store.GetConversation(app, AppActor(), id);
  });
  auto conv = co_await std::move(conv_aw);
  if (!conv.ok()) co_return ErrorResponse(conv.status());
  co_return JsonResponse(
      http::status::ok,
      PlatformConversationJson(*conv, AppActor(), call.AppUrl(), ctx.options.content_links));
}

Status CheckUsers(const std::vector<UserId>& users, const Limits& limits) {
  for (const auto& u : users) {
    if (auto s = ValidateUserId(u.str(), limits); !s.ok()) {
      return InvalidProperty("participants", s.message());
    }
  }
  return Status::Ok();
}

asio::awaitable<Response> PatchConversation(PlatformContext& ctx, PlatformCall& call) {
  auto id = ConversationParam(call, 0);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto type = call.req[http::field::content_type];
  if (type.substr(0, 32) != "application/vnd.layer-patch+json") {
    co_return ErrorResponse(
        Status(ErrorCode::kInvalidHeader, "Content-Type must be application/vnd.layer-patch+json"));
  }
  auto doc = ParseJson(call.req.body());
  if (!doc.ok()) co_return ErrorResponse(doc.status());
  auto ops = ParsePatch(*doc);
  if (!ops.ok()) co_return ErrorResponse(ops.status());
  auto patch = ToConversationPatch(*ops);
  if (!patch.ok()) co_return ErrorResponse(patch.status());
  for (const auto* users : {&patch->add_participants, &patch->remove_participants}) {
    if (auto s = CheckUsers(*users, ctx.limits()); !s.ok()) co_return ErrorResponse(s);
  }
  if (patch->set_participants) {
    if (auto s = CheckUsers(*patch->set_participants, ctx.limits()); !s.ok()) {
      co_return ErrorResponse(s);
    }
  }
  PatchConversationOp op;
  op.app_id = call.app_id();
  op.id = *id;
  op.actor = AppActor();
  op.patch = std::move(*patch);
  op.now = ctx.clock();
  auto answer = WriteNoContent(ctx, std::move(op));
  co_return co_await std::move(answer);
}

asio::awaitable<Response> DeleteConversation(PlatformContext& ctx, PlatformCall& call) {
  auto id = ConversationParam(call, 0);
  if (!id.ok()) co_return ErrorResponse(id.status());
  DeleteConversationOp op;
  op.app_id = call.app_id();
  op.id = *id;
  op.actor = AppActor();
  op.mode = DeletionMode::kAllParticipants;
  op.now = ctx.clock();
  auto answer = WriteNoContent(ctx, std::move(op));
  co_return co_await std::move(answer);
}

}  // namespace

void RegisterConversationRoutes(PlatformRouter& router) {
  using V = http::verb;
  router.Add(V::post, "/conversations", {PostConversation, /*dedup=*/true});
  router.Add(V::get, "/conversations/:id", {GetConversation});
  router.Add(V::patch, "/conversations/:id", {PatchConversation});
  router.Add(V::delete_, "/conversations/:id", {DeleteConversation});
}

}  // namespace relayer::server
