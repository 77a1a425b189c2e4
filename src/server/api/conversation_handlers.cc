// /conversations: create, list, get, Layer-Patch, delete, mark_all_read.
#include <boost/json/serialize.hpp>

#include "core/representation.h"
#include "core/validation.h"
#include "server/api/client_api_impl.h"
#include "server/api/json_input.h"
#include "server/auth/crypto.h"

namespace relayer::server {

namespace json = boost::json;
using Awaitable = ClientApi::Impl::Awaitable;

namespace {

Result<UserId> ParseParticipant(const json::value& v, const Limits& limits, std::string_view prop) {
  if (!v.is_string()) {
    return InvalidProperty(std::string(prop),
                           "participants must be identity ids or user ids (strings)");
  }
  auto user = ParseIdentityRef(v.as_string());
  if (!user)
    return InvalidProperty(std::string(prop),
                           "'" + std::string(v.as_string()) + "' is not a valid identity");
  if (auto s = ValidateUserId(user->str(), limits); !s.ok()) {
    return InvalidProperty(std::string(prop), s.message());
  }
  return *user;
}

std::optional<DeletionMode> ParseMode(const std::string& s) {
  if (s == "all_participants") return DeletionMode::kAllParticipants;
  if (s == "my_devices") return DeletionMode::kMyDevices;
  return std::nullopt;
}

}  // namespace

Status ParseConversationCreate(const json::object& body, const Limits& limits,
                               CreateConversationOp& op) {
  if (auto s = CheckKnownFields(body, {"participants", "distinct", "metadata", "id"}); !s.ok()) {
    return s;
  }
  auto it = body.find("participants");
  if (it == body.end() || it->value().is_null()) {
    return MissingProperty("participants", "participants is required");
  }
  if (!it->value().is_array())
    return InvalidProperty("participants", "participants must be an array");
  const auto& arr = it->value().as_array();
  if (arr.size() > limits.max_participants) {
    return InvalidProperty(
        "participants",
        "A conversation has at most " + std::to_string(limits.max_participants) + " participants");
  }
  for (size_t i = 0; i < arr.size(); ++i) {
    auto user = ParseParticipant(arr[i], limits, "participants");
    if (!user.ok()) return user.status();
    op.participants.push_back(std::move(*user));
  }
  auto distinct = OptBool(body, "distinct");
  if (!distinct.ok()) return distinct.status();
  op.distinct = distinct->value_or(true);
  auto metadata = OptObject(body, "metadata");
  if (!metadata.ok()) return metadata.status();
  if (*metadata) {
    if (auto s = ValidateMetadata(**metadata); !s.ok()) return s;
    if (json::serialize(**metadata).size() > limits.max_metadata_bytes) {
      return InvalidProperty("metadata", "metadata is limited to " +
                                             std::to_string(limits.max_metadata_bytes) + " bytes");
    }
    op.metadata = std::move(**metadata);
  }
  auto id = OptString(body, "id");
  if (!id.ok()) return id.status();
  if (*id) {
    auto cid = ParseConversationId(**id);
    if (!cid) return InvalidProperty("id", "id must be layer:///conversations/UUID");
    op.id = *cid;
  }
  return Status::Ok();
}

Status CreateOutcomeStatus(CreateOutcome outcome, std::string_view kind) {
  switch (outcome) {
    case CreateOutcome::kCreated:
    case CreateOutcome::kExisting:
      return Status::Ok();
    case CreateOutcome::kConflict:
      return Status(ErrorCode::kConflict,
                    "A distinct conversation with these participants exists with different "
                    "metadata");
    case CreateOutcome::kIdInUse:
      return Status(ErrorCode::kIdInUse, "The " + std::string(kind) + " id is already in use");
  }
  return Internal("unexpected create outcome");
}

Result<Page> ClientApi::Impl::ParsePage(const Call& call) const {
  Page page;
  page.page_size = options.limits.default_page_size;
  if (auto it = call.query.find("page_size"); it != call.query.end()) {
    size_t n = 0;
    bool digits = !it->second.empty() && it->second.size() <= 9 &&
                  it->second.find_first_not_of("0123456789") == std::string::npos;
    if (digits) n = std::stoul(it->second);
    if (!digits || n == 0)
      return InvalidProperty("page_size", "page_size must be a positive integer");
    // Larger pages are served at the maximum; the client pages on.
    page.page_size = std::min(n, options.limits.max_page_size);
  }
  if (auto it = call.query.find("from_id"); it != call.query.end() && !it->second.empty()) {
    auto last_slash = it->second.rfind('/');
    std::string uuid =
        last_slash == std::string::npos ? it->second : it->second.substr(last_slash + 1);
    auto canonical = CanonicalUuid(uuid);
    if (!canonical) return InvalidProperty("from_id", "from_id must be an object id or UUID");
    page.from_id = *canonical;
  }
  return page;
}

Result<ConversationId> ClientApi::Impl::ConversationParam(const Call& call) const {
  auto id = ParseConversationId(call.params[0]);
  if (!id) return NotFound("No conversation '" + call.params[0] + "'");
  return *id;
}

Result<MessageId> ClientApi::Impl::MessageParam(const Call& call) const {
  auto id = ParseMessageId(call.params[0]);
  if (!id) return NotFound("No message '" + call.params[0] + "'");
  return *id;
}

Awaitable ClientApi::Impl::PostConversation(Call& call) {
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  CreateConversationOp op;
  if (auto s = ParseConversationCreate(*body, options.limits, op); !s.ok()) {
    co_return ErrorResponse(s);
  }
  op.app_id = call.app();
  op.creator = call.user();
  op.now = clock();
  op.generated_id = ConversationId(TimeOrderedUuid(op.now));
  auto r_aw = Write(store, std::move(op));
  auto r = co_await std::move(r_aw);
  if (!r.status.ok()) co_return ErrorResponse(r.status);
  json::value conv =
      r.conversation
          ? json::value(ConversationJson(*r.conversation, call.user(), call.base_url, links()))
          : json::value(nullptr);
  if (auto s = CreateOutcomeStatus(r.outcome, "conversation"); !s.ok()) {
    co_return ErrorResponse(s, std::move(conv));
  }
  if (r.outcome == CreateOutcome::kExisting) co_return JsonResponse(http::status::ok, conv);
  auto res = JsonResponse(http::status::created, conv);
  res.set(http::field::location, conv.as_object()["url"].as_string());
  co_return res;
}

Awaitable ClientApi::Impl::ListConversations(Call& call) {
  auto page = ParsePage(call);
  if (!page.ok()) co_return ErrorResponse(page.status());
  ConversationSort sort = ConversationSort::kCreatedAt;
  if (auto it = call.query.find("sort_by"); it != call.query.end()) {
    if (it->second == "last_message")
      sort = ConversationSort::kLastMessage;
    else if (it->second != "created_at") {
      co_return ErrorResponse(
          InvalidProperty("sort_by", "sort_by must be created_at or last_message"));
    }
  }
  auto list_aw =
      RunBlocking(blocking, [this, app = call.app(), user = call.user(), sort, page = *page] {
        return store.ListConversations(app, user, sort, page);
      });
  auto list = co_await std::move(list_aw);
  if (!list.ok()) co_return ErrorResponse(list.status());
  json::array out;
  for (const auto& c : list->items)
    out.push_back(ConversationJson(c, call.user(), call.base_url, links()));
  auto res = JsonResponse(http::status::ok, out);
  res.set("Layer-Count", std::to_string(list->total));
  co_return res;
}

Awaitable ClientApi::Impl::GetConversation(Call& call) {
  auto id = ConversationParam(call);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto conv_aw = RunBlocking(blocking, [this, app = call.app(), user = call.user(), id = *id] {
    return store.GetConversation(app, user, id);
  });
  auto conv = co_await std::move(conv_aw);
  if (!conv.ok()) co_return ErrorResponse(conv.status());
  co_return JsonResponse(http::status::ok,
                         ConversationJson(*conv, call.user(), call.base_url, links()));
}

Awaitable ClientApi::Impl::PatchConversation(Call& call) {
  auto id = ConversationParam(call);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto doc = ParseJson(call.req.body());
  if (!doc.ok()) co_return ErrorResponse(doc.status());
  auto ops = ParsePatch(*doc);
  if (!ops.ok()) co_return ErrorResponse(ops.status());
  auto patch = ToConversationPatch(*ops);
  if (!patch.ok()) co_return ErrorResponse(patch.status());
  auto check_users = [this](const std::vector<UserId>& users) -> Status {
    for (const auto& u : users) {
      if (auto s = ValidateUserId(u.str(), options.limits); !s.ok()) {
        return InvalidProperty("participants", s.message());
      }
    }
    return Status::Ok();
  };
  for (const auto* users : {&patch->add_participants, &patch->remove_participants}) {
    if (auto s = check_users(*users); !s.ok()) co_return ErrorResponse(s);
  }
  if (patch->set_participants) {
    if (auto s = check_users(*patch->set_participants); !s.ok()) co_return ErrorResponse(s);
  }
  PatchConversationOp op;
  op.app_id = call.app();
  op.id = *id;
  op.actor = call.user();
  op.patch = std::move(*patch);
  op.now = clock();
  auto answer = WriteNoContent(std::move(op));
  co_return co_await std::move(answer);
}

Awaitable ClientApi::Impl::DeleteConversation(Call& call) {
  auto id = ConversationParam(call);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto mode_it = call.query.find("mode");
  if (mode_it == call.query.end()) {
    co_return ErrorResponse(
        MissingProperty("mode", "mode=all_participants or mode=my_devices is required"));
  }
  auto mode = ParseMode(mode_it->second);
  if (!mode)
    co_return ErrorResponse(InvalidProperty("mode", "mode must be all_participants or my_devices"));
  DeleteConversationOp op;
  op.app_id = call.app();
  op.id = *id;
  op.actor = call.user();
  op.mode = *mode;
  if (auto it = call.query.find("leave"); it != call.query.end()) {
    if (it->second != "true" && it->second != "false") {
      co_return ErrorResponse(InvalidProperty("leave", "leave must be true or false"));
    }
    op.leave = it->second == "true";
  }
  op.now = clock();
  auto answer = WriteNoContent(std::move(op));
  co_return co_await std::move(answer);
}

Awaitable ClientApi::Impl::MarkAllRead(Call& call) {
  auto id = ConversationParam(call);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto body = ParseJsonObject(call.req.body(), /*allow_empty=*/true);
  if (!body.ok()) co_return ErrorResponse(body.status());
  if (auto s = CheckKnownFields(*body, {"position"}); !s.ok()) co_return ErrorResponse(s);
  auto position = OptInt(*body, "position");
  if (!position.ok()) co_return ErrorResponse(position.status());
  MarkAllReadOp op;
  op.app_id = call.app();
  op.id = *id;
  op.actor = call.user();
  op.position = *position;
  op.now = clock();
  auto answer = WriteNoContent(std::move(op));
  co_return co_await std::move(answer);
}

}  // namespace relayer::server
