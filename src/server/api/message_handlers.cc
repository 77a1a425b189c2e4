// Messages: create, list, get, delete; receipts.
#include "core/receipts.h"
#include "core/representation.h"
#include "core/validation.h"
#include "server/api/client_api_impl.h"
#include "server/api/json_input.h"
#include "server/auth/crypto.h"

namespace relayer::server {

namespace json = boost::json;
using Awaitable = ClientApi::Impl::Awaitable;

namespace {

// A part's `content: {id: "layer:///content/UUID", size}` (what the SDK sends after uploading).
Result<ContentRef> ParseContentRef(const json::value& v, const std::string& property) {
  if (!v.is_object()) return InvalidProperty(property, property + " must be an object {id, size}");
  const auto& o = v.as_object();
  const json::value* id = o.if_contains("id");
  if (!id || id->is_null()) return MissingProperty(property + ".id", property + ".id is required");
  auto parsed = id->is_string() ? ParseContentId(id->as_string()) : std::nullopt;
  if (!parsed) {
    return InvalidProperty(property + ".id", property + ".id must be layer:///content/UUID");
  }
  const json::value* size = o.if_contains("size");
  if (!size || size->is_null()) {
    return MissingProperty(property + ".size", property + ".size is required");
  }
  if (!size->is_int64() && !size->is_uint64()) {
    return InvalidProperty(property + ".size", property + ".size must be a whole number");
  }
  if (size->is_uint64() || size->as_int64() < 0) {
    return InvalidProperty(property + ".size", property + ".size is out of range");
  }
  return ContentRef{*parsed, size->as_int64()};
}

}  // namespace

Result<std::vector<MessagePart>> ParseParts(const json::value* parts, const Limits& limits) {
  if (!parts || parts->is_null()) return MissingProperty("parts", "parts is required");
  if (!parts->is_array()) return InvalidProperty("parts", "parts must be an array");
  const auto& arr = parts->as_array();
  if (arr.empty()) return InvalidProperty("parts", "A message needs at least one part");
  if (arr.size() > limits.max_parts_per_message) {
    return InvalidProperty("parts", "A message has at most " +
                                        std::to_string(limits.max_parts_per_message) + " parts");
  }
  std::vector<MessagePart> out;
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string prefix = "parts[" + std::to_string(i) + "].";
    if (!arr[i].is_object())
      return InvalidProperty("parts[" + std::to_string(i) + "]", "each part must be an object");
    const auto& o = arr[i].as_object();
    if (auto s = CheckKnownFields(o, {"mime_type", "body", "encoding", "content", "id"}, prefix);
        !s.ok()) {
      return s;
    }
    MessagePart part;
    auto mime = OptString(o, "mime_type", prefix);
    if (!mime.ok()) return mime.status();
    if (!*mime) return MissingProperty(prefix + "mime_type", prefix + "mime_type is required");
    part.mime_type = **mime;
    auto body = OptString(o, "body", prefix);
    if (!body.ok()) return body.status();
    auto encoding = OptString(o, "encoding", prefix);
    if (!encoding.ok()) return encoding.status();
    part.encoding = encoding->value_or("");
    if (o.contains("content") && !o.at("content").is_null()) {
      auto content = ParseContentRef(o.at("content"), prefix + "content");
      if (!content.ok()) return content.status();
      if (*body && !(*body)->empty()) {
        return InvalidProperty(prefix + "body", "a part has either a body or content, not both");
      }
      part.content = std::move(*content);
      out.push_back(std::move(part));
      continue;
    }
    if (!*body) return MissingProperty(prefix + "body", prefix + "body is required");
    part.body = **body;
    out.push_back(std::move(part));
  }
  if (auto s = ValidateParts(out, limits); !s.ok()) return s;
  return out;
}

Status ParseMessageCreate(const json::object& body, const Limits& limits, CreateMessageOp& op) {
  if (auto s = CheckKnownFields(body, {"id", "parts", "notification"}); !s.ok()) return s;
  auto parts = ParseParts(body.if_contains("parts"), limits);
  if (!parts.ok()) return parts.status();
  op.parts = std::move(*parts);
  auto notification = OptObject(body, "notification");
  if (!notification.ok()) return notification.status();
  if (*notification) {
    for (const char* key : {"text", "title", "sound"}) {
      auto v = OptString(**notification, key, "notification.");
      if (!v.ok()) return v.status();
    }
    op.notification = std::move(**notification);
  }
  auto id = OptString(body, "id");
  if (!id.ok()) return id.status();
  if (*id) {
    auto mid = ParseMessageId(**id);
    if (!mid) return InvalidProperty("id", "id must be layer:///messages/UUID");
    op.id = *mid;
  }
  return Status::Ok();
}

Awaitable ClientApi::Impl::PostMessage(Call& call) {
  auto cid = ConversationParam(call);
  if (!cid.ok()) co_return ErrorResponse(cid.status());
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  CreateMessageOp op;
  if (auto s = ParseMessageCreate(*body, options.limits, op); !s.ok()) co_return ErrorResponse(s);
  op.app_id = call.app();
  op.conversation_id = *cid;
  op.sender.user_id = call.user();
  op.now = clock();
  op.generated_id = MessageId(TimeOrderedUuid(op.now));
  auto r_aw = Write(store, std::move(op));
  auto r = co_await std::move(r_aw);
  if (!r.status.ok()) co_return ErrorResponse(r.status);
  if (auto s = CreateOutcomeStatus(r.outcome, "message"); !s.ok()) {
    co_return ErrorResponse(
        s, r.message ? json::value(MessageJson(*r.message, call.user(), call.base_url, links()))
                     : json::value(nullptr));
  }
  if (!r.message) co_return JsonResponse(http::status::created, nullptr);
  std::string out;
  AppendMessageJson(out, *r.message, IsUnreadFor(*r.message, call.user()), call.base_url, links());
  auto res = JsonTextResponse(http::status::created, std::move(out));
  res.set(http::field::location, MessageHttpUrl(call.base_url, r.message->id));
  co_return res;
}

Awaitable ClientApi::Impl::ListMessages(Call& call) {
  auto cid = ConversationParam(call);
  if (!cid.ok()) co_return ErrorResponse(cid.status());
  auto page = ParsePage(call);
  if (!page.ok()) co_return ErrorResponse(page.status());
  auto list_aw =
      RunBlocking(blocking, [this, app = call.app(), user = call.user(), cid = *cid, page = *page] {
        return store.ListMessages(app, user, cid, page);
      });
  auto list = co_await std::move(list_aw);
  if (!list.ok()) co_return ErrorResponse(list.status());
  std::string out = "[";
  for (const auto& m : list->items) {
    if (out.size() > 1) out += ',';
    AppendMessageJson(out, m, IsUnreadFor(m, call.user()), call.base_url, links());
  }
  out += ']';
  auto res = JsonTextResponse(http::status::ok, std::move(out));
  res.set("Layer-Count", std::to_string(list->total));
  co_return res;
}

Awaitable ClientApi::Impl::GetMessage(Call& call) {
  auto id = MessageParam(call);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto msg_aw = RunBlocking(blocking, [this, app = call.app(), user = call.user(), id = *id] {
    return store.GetMessage(app, user, id);
  });
  auto msg = co_await std::move(msg_aw);
  if (!msg.ok()) co_return ErrorResponse(msg.status());
  std::string out;
  AppendMessageJson(out, *msg, IsUnreadFor(*msg, call.user()), call.base_url, links());
  co_return JsonTextResponse(http::status::ok, std::move(out));
}

Awaitable ClientApi::Impl::DeleteMessage(Call& call) {
  auto id = MessageParam(call);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto mode_it = call.query.find("mode");
  if (mode_it == call.query.end()) {
    co_return ErrorResponse(
        MissingProperty("mode", "mode=all_participants or mode=my_devices is required"));
  }
  DeleteMessageOp op;
  if (mode_it->second == "all_participants")
    op.mode = DeletionMode::kAllParticipants;
  else if (mode_it->second == "my_devices")
    op.mode = DeletionMode::kMyDevices;
  else
    co_return ErrorResponse(InvalidProperty("mode", "mode must be all_participants or my_devices"));
  op.app_id = call.app();
  op.id = *id;
  op.actor = call.user();
  op.now = clock();
  auto answer = WriteNoContent(std::move(op));
  co_return co_await std::move(answer);
}

Awaitable ClientApi::Impl::PostReceipt(Call& call) {
  auto id = MessageParam(call);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  if (auto s = CheckKnownFields(*body, {"type"}); !s.ok()) co_return ErrorResponse(s);
  auto type_text = OptString(*body, "type");
  if (!type_text.ok()) co_return ErrorResponse(type_text.status());
  if (!*type_text)
    co_return ErrorResponse(MissingProperty("type", "type is required (delivery or read)"));
  auto type = ParseReceiptType(**type_text);
  if (!type) co_return ErrorResponse(InvalidProperty("type", "type must be delivery or read"));
  PostReceiptOp op;
  op.app_id = call.app();
  op.id = *id;
  op.actor = call.user();
  op.type = *type;
  op.now = clock();
  auto answer = WriteNoContent(std::move(op));
  co_return co_await std::move(answer);
}

}  // namespace relayer::server
