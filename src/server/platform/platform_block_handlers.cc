// Per-user state the app manages: block lists (/users/U/blocks[/B]) and badges (/users/U/badge).
#include <boost/json/array.hpp>

#include "core/validation.h"
#include "server/api/json_input.h"
#include "server/platform/platform_impl.h"

namespace relayer::server {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

asio::awaitable<Response> ListBlocks(PlatformContext& ctx, PlatformCall& call) {
  auto owner = UserParam(call, 0, ctx.limits());
  if (!owner.ok()) co_return ErrorResponse(owner.status());
  auto list_aw = RunBlocking(ctx.blocking, [&ctx, app = call.app_id(), o = *owner] {
    return ctx.store.ListBlocks(app, o);
  });
  auto list = co_await std::move(list_aw);
  if (!list.ok()) co_return ErrorResponse(list.status());
  json::array out;
  for (const auto& u : *list) out.push_back(json::object{{"user_id", u.str()}});
  co_return JsonResponse(http::status::ok, out);
}

asio::awaitable<Response> Block(PlatformContext& ctx, PlatformCall& call) {
  auto owner = UserParam(call, 0, ctx.limits());
  if (!owner.ok()) co_return ErrorResponse(owner.status());
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  if (auto s = CheckKnownFields(*body, {"user_id"}); !s.ok()) co_return ErrorResponse(s);
  auto blocked = OptString(*body, "user_id");
  if (!blocked.ok()) co_return ErrorResponse(blocked.status());
  if (!*blocked) co_return ErrorResponse(MissingProperty("user_id", "user_id is required"));
  if (auto s = ValidateUserId(**blocked, ctx.limits()); !s.ok()) {
    co_return ErrorResponse(InvalidProperty("user_id", s.message()));
  }
  BlockUserOp op;
  op.app_id = call.app_id();
  op.owner = *owner;
  op.blocked = UserId(**blocked);
  op.now = ctx.clock();
  auto answer = WriteNoContent(ctx, std::move(op));
  co_return co_await std::move(answer);
}

asio::awaitable<Response> Unblock(PlatformContext& ctx, PlatformCall& call) {
  auto owner = UserParam(call, 0, ctx.limits());
  if (!owner.ok()) co_return ErrorResponse(owner.status());
  auto blocked = UserParam(call, 1, ctx.limits());
  if (!blocked.ok()) co_return ErrorResponse(blocked.status());
  UnblockUserOp op;
  op.app_id = call.app_id();
  op.owner = *owner;
  op.blocked = *blocked;
  op.now = ctx.clock();
  auto answer = WriteNoContent(ctx, std::move(op));
  co_return co_await std::move(answer);
}

asio::awaitable<Response> BadgeAnswer(PlatformContext& ctx, const AppId& app, const UserId& user) {
  auto badge_aw =
      RunBlocking(ctx.blocking, [&ctx, app, user] { return ctx.store.GetBadge(app, user); });
  auto badge = co_await std::move(badge_aw);
  if (!badge.ok()) co_return ErrorResponse(badge.status());
  co_return JsonResponse(
      http::status::ok,
      json::object{{"external_unread_count", badge->external_unread_count},
                   {"unread_conversation_count", badge->unread_conversation_count},
                   {"unread_message_count", badge->unread_message_count}});
}

asio::awaitable<Response> GetBadge(PlatformContext& ctx, PlatformCall& call) {
  auto user = UserParam(call, 0, ctx.limits());
  if (!user.ok()) co_return ErrorResponse(user.status());
  auto answer = BadgeAnswer(ctx, call.app_id(), *user);
  co_return co_await std::move(answer);
}

asio::awaitable<Response> PutBadge(PlatformContext& ctx, PlatformCall& call) {
  auto user = UserParam(call, 0, ctx.limits());
  if (!user.ok()) co_return ErrorResponse(user.status());
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  if (auto s = CheckKnownFields(*body, {"external_unread_count"}); !s.ok()) {
    co_return ErrorResponse(s);
  }
  auto count = OptInt(*body, "external_unread_count");
  if (!count.ok()) co_return ErrorResponse(count.status());
  if (!*count) {
    co_return ErrorResponse(
        MissingProperty("external_unread_count", "external_unread_count is required"));
  }
  SetBadgeOp op;
  op.app_id = call.app_id();
  op.user_id = *user;
  op.external_unread_count = **count;
  op.now = ctx.clock();
  auto written_aw = Write(ctx.store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return ErrorResponse(written.status);
  auto answer = BadgeAnswer(ctx, call.app_id(), *user);
  co_return co_await std::move(answer);
}

}  // namespace

void RegisterBlockRoutes(PlatformRouter& router) {
  using V = http::verb;
  router.Add(V::get, "/users/:user/blocks", {ListBlocks});
  router.Add(V::post, "/users/:user/blocks", {Block});
  router.Add(V::delete_, "/users/:user/blocks/:blocked", {Unblock});
  router.Add(V::get, "/users/:user/badge", {GetBadge});
  router.Add(V::put, "/users/:user/badge", {PutBadge});
}

}  // namespace relayer::server
