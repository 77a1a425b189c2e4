// Which delivery events (webhooks, push: core/delivery.h) a successful write owes. The rules are
// the same for every backend; only reading snapshots, asking whether an event is wanted and
// inserting it touch the database, so each backend passes a `Sink` doing that in its own
// transaction:
//   Status Conversation(const AppId&, TimeMs, const char* type, const UserId& actor,
//                       const std::optional<Conversation>& known, const ConversationId&);
//   Status Message(const AppId&, TimeMs, const char* type, Sender actor,
//                  const std::optional<Message>& known, const MessageId&);
//   Status Notification(const CreateAnnouncementOp&);  // the announcement's push, if any
// `known` is the object when the write has it at hand; the sink reads it otherwise.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "store/sqlite/try.h"
#include "store/store.h"

namespace relayer {

inline Sender UserActor(const UserId& user) {
  Sender s;
  if (!user.empty()) s.user_id = user;
  return s;
}

// Whether a conversation write changed who takes part (a create, delete or participants patch).
inline bool ChangesParticipants(const WriteResult& out) {
  for (const Change& c : out.changes) {
    if (c.type != ObjectType::kConversation) continue;
    if (c.op != ChangeOp::kUpdate) return true;
    if (c.data_json.find("\"participants\"") != std::string::npos) return true;
  }
  return false;
}

// `pre_conversation` / `pre_message`: what a global delete removed, snapshotted before it ran.
template <class Sink>
Status RecordDeliveryEvents(Sink& sink, const WriteOp& op,
                            const std::optional<Conversation>& pre_conversation,
                            const std::optional<Message>& pre_message, const WriteResult& out) {
  if (const auto* o = std::get_if<CreateConversationOp>(&op)) {
    if (out.outcome != CreateOutcome::kCreated || !out.conversation) return Status::Ok();
    return sink.Conversation(o->app_id, o->now, "conversation.created", o->creator,
                             out.conversation, out.conversation->id);
  }
  if (const auto* o = std::get_if<PatchConversationOp>(&op)) {
    if (ChangesParticipants(out)) {
      RELAYER_RETURN_IF_ERROR(sink.Conversation(
          o->app_id, o->now, "conversation.updated.participants", o->actor, std::nullopt, o->id));
    }
    if (!o->patch.metadata_ops.empty()) {
      RELAYER_RETURN_IF_ERROR(sink.Conversation(o->app_id, o->now, "conversation.updated.metadata",
                                                o->actor, std::nullopt, o->id));
    }
    return Status::Ok();
  }
  if (const auto* o = std::get_if<DeleteConversationOp>(&op)) {
    if (o->mode == DeletionMode::kAllParticipants) {
      if (!pre_conversation) return Status::Ok();
      return sink.Conversation(o->app_id, o->now, "conversation.deleted", o->actor,
                               pre_conversation, o->id);
    }
    if (!o->leave) return Status::Ok();
    return sink.Conversation(o->app_id, o->now, "conversation.updated.participants", o->actor,
                             std::nullopt, o->id);
  }
  if (const auto* o = std::get_if<CreateMessageOp>(&op)) {
    if (out.outcome != CreateOutcome::kCreated || !out.message) return Status::Ok();
    Sender actor = out.message->sender;
    if (actor.user_id) actor.name.clear();
    return sink.Message(o->app_id, o->now, "message.sent", std::move(actor), out.message,
                        out.message->id);
  }
  if (const auto* o = std::get_if<PostReceiptOp>(&op)) {
    if (out.changes.empty() || !out.message) return Status::Ok();
    auto it = out.message->recipient_status.find(o->actor);
    if (it == out.message->recipient_status.end()) return Status::Ok();
    const char* type = it->second == ReceiptState::kRead ? "message.read" : "message.delivered";
    return sink.Message(o->app_id, o->now, type, UserActor(o->actor), out.message, out.message->id);
  }
  if (const auto* o = std::get_if<MarkAllReadOp>(&op)) {
    for (const Change& c : out.changes) {
      if (c.type != ObjectType::kMessage || c.op != ChangeOp::kUpdate) continue;
      RELAYER_RETURN_IF_ERROR(sink.Message(o->app_id, o->now, "message.read", UserActor(o->actor),
                                           std::nullopt, MessageId(c.object_id)));
    }
    return Status::Ok();
  }
  if (const auto* o = std::get_if<CreateAnnouncementOp>(&op)) {
    // An announcement's notification is pushed like a Platform notification.
    if (!o->notification) return Status::Ok();
    return sink.Notification(*o);
  }
  if (const auto* o = std::get_if<DeleteMessageOp>(&op)) {
    if (o->mode != DeletionMode::kAllParticipants || !pre_message) return Status::Ok();
    return sink.Message(o->app_id, o->now, "message.deleted", UserActor(o->actor), pre_message,
                        o->id);
  }
  return Status::Ok();
}

}  // namespace relayer
