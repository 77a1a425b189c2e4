// POST /announcements: a message from a named service to a list of users, outside any
// conversation. Recipients receive it live as an Announcement create (layer:///announcements/UUID)
// and list it with the Client API's GET /announcements.
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

Result<std::vector<UserId>> ParseRecipients(const json::object& body, const Limits& limits) {
  auto* v = body.if_contains("recipients");
  if (!v || v->is_null()) return MissingProperty("recipients", "recipients is required");
  if (!v->is_array() || v->as_array().empty()) {
    return InvalidProperty("recipients", "recipients must be a non-empty array of user ids");
  }
  std::vector<UserId> out;
  for (const auto& r : v->as_array()) {
    if (!r.is_string()) return InvalidProperty("recipients", "recipients must be user ids");
    auto user = ParseIdentityRef(r.as_string());
    if (!user || !ValidateUserId(user->str(), limits).ok()) {
      return InvalidProperty("recipients", "'" + std::string(r.as_string()) + "' is no user id");
    }
    out.push_back(std::move(*user));
  }
  return out;
}

asio::awaitable<Response> PostAnnouncement(PlatformContext& ctx, PlatformCall& call) {
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  auto recipients = ParseRecipients(*body, ctx.limits());
  if (!recipients.ok()) co_return ErrorResponse(recipients.status());
  if (recipients->size() > ctx.limits().max_announcement_recipients) {
    co_return ErrorResponse(
        InvalidProperty("recipients", "an announcement has at most " +
                                          std::to_string(ctx.limits().max_announcement_recipients) +
                                          " recipients"));
  }
  auto* sender = body->if_contains("sender");
  if (!sender || !sender->is_object()) {
    co_return ErrorResponse(MissingProperty("sender", "sender {name} is required"));
  }
  if (auto s = CheckKnownFields(sender->as_object(), {"name"}, "sender."); !s.ok()) {
    co_return ErrorResponse(s);
  }
  auto name = OptString(sender->as_object(), "name", "sender.");
  if (!name.ok()) co_return ErrorResponse(name.status());
  if (!*name || (*name)->empty() || (*name)->size() > ctx.limits().max_display_name) {
    co_return ErrorResponse(InvalidProperty(
        "sender.name", "sender.name is required (1 to " +
                           std::to_string(ctx.limits().max_display_name) + " characters)"));
  }
  // Parts and notification read like a message create's.
  CreateMessageOp parsed;
  json::object rest = *body;
  rest.erase("recipients");
  rest.erase("sender");
  if (auto s = ParseMessageCreate(rest, ctx.limits(), parsed); !s.ok()) co_return ErrorResponse(s);
  CreateAnnouncementOp op;
  op.app_id = call.app_id();
  op.id = parsed.id.value_or(MessageId(RandomUuid()));
  op.sender_name = **name;
  op.recipients = std::move(*recipients);
  op.parts = std::move(parsed.parts);
  op.notification = std::move(parsed.notification);
  op.now = ctx.clock();
  auto r_aw = Write(ctx.store, std::move(op));
  auto r = co_await std::move(r_aw);
  if (!r.status.ok()) co_return ErrorResponse(r.status);
  co_return JsonResponse(http::status::accepted,
                         PlatformAnnouncementJson(*r.message, call.AppUrl()));
}

}  // namespace

void RegisterAnnouncementRoutes(PlatformRouter& router) {
  router.Add(http::verb::post, "/announcements", {PostAnnouncement, /*dedup=*/true});
}

}  // namespace relayer::server
