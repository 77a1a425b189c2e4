// /conversations/UUID/messages as the app: send as a participant (sender.user_id) or as a named
// service (sender.name), and read a conversation's messages without a viewer.
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

// sender: {user_id} or {name}, exactly one of them.
Result<Sender> ParseSender(const json::object& body, const Limits& limits) {
  auto* v = body.if_contains("sender");
  if (!v || v->is_null()) return MissingProperty("sender", "sender is required");
  if (!v->is_object()) return InvalidProperty("sender", "sender must be an object");
  const auto& o = v->as_object();
  if (auto s = CheckKnownFields(o, {"user_id", "name"}, "sender."); !s.ok()) return s;
  auto user = OptString(o, "user_id", "sender.");
  if (!user.ok()) return user.status();
  auto name = OptString(o, "name", "sender.");
  if (!name.ok()) return name.status();
  if (user->has_value() == name->has_value()) {
    return InvalidProperty("sender", "sender needs exactly one of user_id and name");
  }
  Sender sender;
  if (*user) {
    if (auto s = ValidateUserId(**user, limits); !s.ok()) {
      return InvalidProperty("sender.user_id", s.message());
    }
    sender.user_id = UserId(**user);
    return sender;
  }
  if ((*name)->empty() || (*name)->size() > limits.max_display_name) {
    return InvalidProperty(
        "sender.name",
        "sender.name must be 1 to " + std::to_string(limits.max_display_name) + " characters");
  }
  sender.name = **name;
  return sender;
}

asio::awaitable<Response> PostMessage(PlatformContext& ctx, PlatformCall& call) {
  auto cid = ConversationParam(call, 0);
  if (!cid.ok()) co_return ErrorResponse(cid.status());
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  auto sender = ParseSender(*body, ctx.limits());
  if (!sender.ok()) co_return ErrorResponse(sender.status());
  body->erase("sender");
  CreateMessageOp op;
  if (auto s = ParseMessageCreate(*body, ctx.limits(), op); !s.ok()) co_return ErrorResponse(s);
  op.app_id = call.app_id();
  op.conversation_id = *cid;
  op.sender = std::move(*sender);
  op.now = ctx.clock();
  op.generated_id = MessageId(TimeOrderedUuid(op.now));
  auto r_aw = Write(ctx.store, std::move(op));
  auto r = co_await std::move(r_aw);
  if (!r.status.ok()) co_return ErrorResponse(r.status);
  json::value msg = r.message
                        ? json::value(PlatformMessageJson(*r.message, AppActor(), call.AppUrl(),
                                                          ctx.options.content_links))
                        : json::value(nullptr);
  if (auto s = CreateOutcomeStatus(r.outcome, "message"); !s.ok()) {
    co_return ErrorResponse(s, std::move(msg));
  }
  auto res = JsonResponse(http::status::created, msg);
  res.set(http::field::location, msg.as_object()["url"].as_string());
  co_return res;
}

asio::awaitable<Response> ListMessages(PlatformContext& ctx, PlatformCall& call) {
  auto cid = ConversationParam(call, 0);
  if (!cid.ok()) co_return ErrorResponse(cid.status());
  auto page = ParsePlatformPage(call, ctx.limits());
  if (!page.ok()) co_return ErrorResponse(page.status());
  auto list_aw = RunBlocking(ctx.blocking, [&ctx, app = call.app_id(), c = *cid, p = *page] {
    return ctx.store.ListMessages(app, AppActor(), c, p);
  });
  auto list = co_await std::move(list_aw);
  if (!list.ok()) co_return ErrorResponse(list.status());
  json::array out;
  const std::string app_url = call.AppUrl();
  for (const auto& m : list->items)
    out.push_back(PlatformMessageJson(m, AppActor(), app_url, ctx.options.content_links));
  auto res = JsonResponse(http::status::ok, out);
  res.set("Layer-Count", std::to_string(list->total));
  co_return res;
}

// GET /conversations/UUID/messages/UUID, and GET /messages/UUID (a message's `url`).
asio::awaitable<Response> GetMessage(PlatformContext& ctx, PlatformCall& call) {
  const bool in_conversation = call.params.size() == 2;
  std::optional<ConversationId> cid;
  if (in_conversation) {
    auto parsed = ConversationParam(call, 0);
    if (!parsed.ok()) co_return ErrorResponse(parsed.status());
    cid = *parsed;
  }
  auto mid = MessageParam(call, in_conversation ? 1 : 0);
  if (!mid.ok()) co_return ErrorResponse(mid.status());
  auto msg_aw = RunBlocking(ctx.blocking, [&ctx, app = call.app_id(), m = *mid] {
    return ctx.store.GetMessage(app, AppActor(), m);
  });
  auto msg = co_await std::move(msg_aw);
  if (!msg.ok()) co_return ErrorResponse(msg.status());
  if (cid && msg->conversation_id != *cid) {
    co_return ErrorResponse(NotFound("message not found"));
  }
  co_return JsonResponse(http::status::ok, PlatformMessageJson(*msg, AppActor(), call.AppUrl(),
                                                               ctx.options.content_links));
}

}  // namespace

void RegisterMessageRoutes(PlatformRouter& router) {
  using V = http::verb;
  router.Add(V::post, "/conversations/:id/messages", {PostMessage, /*dedup=*/true});
  router.Add(V::get, "/conversations/:id/messages", {ListMessages});
  router.Add(V::get, "/conversations/:id/messages/:mid", {GetMessage});
  router.Add(V::get, "/messages/:mid", {GetMessage});
}

}  // namespace relayer::server
