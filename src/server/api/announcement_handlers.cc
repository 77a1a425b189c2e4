// /announcements for their recipients (the Web SDK's AnnouncementsQuery, Syncable.load, its
// delivery/read receipts and delete). Announcements are sent with the Platform API.
#include <boost/json/array.hpp>

#include "core/representation.h"
#include "server/api/client_api_impl.h"
#include "server/api/json_input.h"

namespace relayer::server {

namespace json = boost::json;
using Awaitable = ClientApi::Impl::Awaitable;

namespace {

Result<MessageId> AnnouncementParam(const std::string& raw) {
  constexpr std::string_view kPrefix = "layer:///announcements/";
  std::string_view s = raw;
  if (s.substr(0, kPrefix.size()) == kPrefix) s.remove_prefix(kPrefix.size());
  auto uuid = CanonicalUuid(s);
  if (!uuid) return NotFound("No announcement '" + raw + "'");
  return MessageId(*uuid);
}

}  // namespace

Awaitable ClientApi::Impl::ListAnnouncements(Call& call) {
  auto page = ParsePage(call);
  if (!page.ok()) co_return ErrorResponse(page.status());
  auto list_aw = RunBlocking(blocking, [this, app = call.app(), user = call.user(), p = *page] {
    return store.ListAnnouncements(app, user, p);
  });
  auto list = co_await std::move(list_aw);
  if (!list.ok()) co_return ErrorResponse(list.status());
  json::array out;
  for (const auto& m : list->items) out.push_back(AnnouncementJson(m, call.user(), call.base_url));
  auto res = JsonResponse(http::status::ok, out);
  res.set("Layer-Count", std::to_string(list->total));
  co_return res;
}

Awaitable ClientApi::Impl::GetAnnouncement(Call& call) {
  auto id = AnnouncementParam(call.params[0]);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto found_aw = RunBlocking(blocking, [this, app = call.app(), user = call.user(), id = *id] {
    return store.GetAnnouncement(app, user, id);
  });
  auto found = co_await std::move(found_aw);
  if (!found.ok()) co_return ErrorResponse(found.status());
  co_return JsonResponse(http::status::ok, AnnouncementJson(*found, call.user(), call.base_url));
}

Awaitable ClientApi::Impl::DeleteAnnouncement(Call& call) {
  auto id = AnnouncementParam(call.params[0]);
  if (!id.ok()) co_return ErrorResponse(id.status());
  HideAnnouncementOp op;
  op.app_id = call.app();
  op.id = *id;
  op.actor = call.user();
  op.now = clock();
  auto answer = WriteNoContent(std::move(op));
  co_return co_await std::move(answer);
}

Awaitable ClientApi::Impl::PostAnnouncementReceipt(Call& call) {
  auto id = AnnouncementParam(call.params[0]);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  auto type = OptString(*body, "type");
  if (!type.ok()) co_return ErrorResponse(type.status());
  if (!*type) co_return ErrorResponse(MissingProperty("type", "type is required"));
  AnnouncementReceiptOp op;
  if (**type == "read") {
    op.type = ReceiptType::kRead;
  } else if (**type == "delivery") {
    op.type = ReceiptType::kDelivery;
  } else {
    co_return ErrorResponse(InvalidProperty("type", "type must be read or delivery"));
  }
  op.app_id = call.app();
  op.id = *id;
  op.actor = call.user();
  op.now = clock();
  auto answer = WriteNoContent(std::move(op));
  co_return co_await std::move(answer);
}

}  // namespace relayer::server
