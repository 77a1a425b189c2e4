// Reads on behalf of one user: /users/U/conversations[/UUID[/messages]], /users/U/messages/UUID.
// Each answers what that user would see through the Client API (unread counts, hidden messages).
#include <boost/json/array.hpp>

#include "server/platform/platform_impl.h"
#include "server/platform/platform_json.h"

namespace relayer::server {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

Response WithCount(Response res, int64_t total) {
  res.set("Layer-Count", std::to_string(total));
  return res;
}

asio::awaitable<Response> ListConversations(PlatformContext& ctx, PlatformCall& call) {
  auto user = UserParam(call, 0, ctx.limits());
  if (!user.ok()) co_return ErrorResponse(user.status());
  auto page = ParsePlatformPage(call, ctx.limits());
  if (!page.ok()) co_return ErrorResponse(page.status());
  ConversationSort sort = ConversationSort::kCreatedAt;
  if (auto it = call.query.find("sort_by"); it != call.query.end()) {
    if (it->second == "last_message") {
      sort = ConversationSort::kLastMessage;
    } else if (it->second != "created_at") {
      co_return ErrorResponse(
          InvalidProperty("sort_by", "sort_by must be created_at or last_message"));
    }
  }
  auto list_aw = RunBlocking(ctx.blocking, [&ctx, app = call.app_id(), u = *user, sort, p = *page] {
    return ctx.store.ListConversations(app, u, sort, p);
  });
  auto list = co_await std::move(list_aw);
  if (!list.ok()) co_return ErrorResponse(list.status());
  json::array out;
  const std::string app_url = call.AppUrl();
  for (const auto& c : list->items)
    out.push_back(PlatformConversationJson(c, *user, app_url, ctx.options.content_links));
  co_return WithCount(JsonResponse(http::status::ok, out), list->total);
}

asio::awaitable<Response> GetConversation(PlatformContext& ctx, PlatformCall& call) {
  auto user = UserParam(call, 0, ctx.limits());
  if (!user.ok()) co_return ErrorResponse(user.status());
  auto id = ConversationParam(call, 1);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto conv_aw = RunBlocking(ctx.blocking, [&ctx, app = call.app_id(), u = *user, c = *id] {
    return ctx.store.GetConversation(app, u, c);
  });
  auto conv = co_await std::move(conv_aw);
  if (!conv.ok()) co_return ErrorResponse(conv.status());
  co_return JsonResponse(http::status::ok, PlatformConversationJson(*conv, *user, call.AppUrl(),
                                                                    ctx.options.content_links));
}

asio::awaitable<Response> ListMessages(PlatformContext& ctx, PlatformCall& call) {
  auto user = UserParam(call, 0, ctx.limits());
  if (!user.ok()) co_return ErrorResponse(user.status());
  auto id = ConversationParam(call, 1);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto page = ParsePlatformPage(call, ctx.limits());
  if (!page.ok()) co_return ErrorResponse(page.status());
  auto list_aw =
      RunBlocking(ctx.blocking, [&ctx, app = call.app_id(), u = *user, c = *id, p = *page] {
        return ctx.store.ListMessages(app, u, c, p);
      });
  auto list = co_await std::move(list_aw);
  if (!list.ok()) co_return ErrorResponse(list.status());
  json::array out;
  const std::string app_url = call.AppUrl();
  for (const auto& m : list->items)
    out.push_back(PlatformMessageJson(m, *user, app_url, ctx.options.content_links));
  co_return WithCount(JsonResponse(http::status::ok, out), list->total);
}

asio::awaitable<Response> GetMessage(PlatformContext& ctx, PlatformCall& call) {
  auto user = UserParam(call, 0, ctx.limits());
  if (!user.ok()) co_return ErrorResponse(user.status());
  auto id = MessageParam(call, 1);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto msg_aw = RunBlocking(ctx.blocking, [&ctx, app = call.app_id(), u = *user, m = *id] {
    return ctx.store.GetMessage(app, u, m);
  });
  auto msg = co_await std::move(msg_aw);
  if (!msg.ok()) co_return ErrorResponse(msg.status());
  co_return JsonResponse(
      http::status::ok, PlatformMessageJson(*msg, *user, call.AppUrl(), ctx.options.content_links));
}

}  // namespace

void RegisterUserRoutes(PlatformRouter& router) {
  using V = http::verb;
  router.Add(V::get, "/users/:user/conversations", {ListConversations});
  router.Add(V::get, "/users/:user/conversations/:id", {GetConversation});
  router.Add(V::get, "/users/:user/conversations/:id/messages", {ListMessages});
  router.Add(V::get, "/users/:user/messages/:id", {GetMessage});
}

}  // namespace relayer::server
