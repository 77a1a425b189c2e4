// Conversation writes: create (with distinct sets), patch, delete, mark all read.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <set>

#include "core/layer_patch.h"
#include "core/representation.h"
#include "core/validation.h"
#include "store/sqlite/codec.h"
#include "store/sqlite/ops.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {
namespace json = boost::json;
namespace {

Status CheckParticipantCount(const OpContext& ctx, size_t n) {
  if (n > ctx.limits.max_participants) {
    return InvalidProperty("participants", "a conversation has at most " +
                                               std::to_string(ctx.limits.max_participants) +
                                               " participants");
  }
  return Status::Ok();
}

Status CheckMetadataSize(const OpContext& ctx, const json::object& metadata) {
  if (EncodeObject(metadata).size() > ctx.limits.max_metadata_bytes) {
    return InvalidProperty(
        "metadata",
        "metadata is larger than " + std::to_string(ctx.limits.max_metadata_bytes) + " bytes");
  }
  return Status::Ok();
}

Status InsertParticipant(Connection& db, int64_t conv, const UserId& user) {
  auto q = db.Prepare("INSERT OR IGNORE INTO participants (conv, user_id) VALUES (?1, ?2)");
  q.Bind(1, conv).Bind(2, user.str());
  return q.Exec();
}

Status RemoveParticipant(Connection& db, int64_t conv, const UserId& user) {
  auto q = db.Prepare("DELETE FROM participants WHERE conv = ?1 AND user_id = ?2");
  q.Bind(1, conv).Bind(2, user.str());
  RELAYER_RETURN_IF_ERROR(q.Exec());  // the schema notes the departure (participants_departed)
  // A user added back later starts without the single-message deletions of before.
  auto h = db.Prepare(
      "DELETE FROM hidden_messages WHERE user_id = ?2 AND msg IN "
      "(SELECT rowid FROM messages WHERE conv = ?1)");
  h.Bind(1, conv).Bind(2, user.str());
  return h.Exec();
}

Status DropDistinct(Connection& db, int64_t conv) {
  auto q = db.Prepare("UPDATE conversations SET distinct_key = NULL WHERE rowid = ?1");
  q.Bind(1, conv);
  return q.Exec();
}

// {"operation":"add"|"remove","property":"participants","id":..., "value":<basic identity>}
Result<json::object> ParticipantPatch(Connection& db, const AppId& app, const UserId& user,
                                      const char* operation) {
  RELAYER_ASSIGN_OR_RETURN(Identity identity, IdentityOrBare(db, app, user));
  return json::object{{"operation", operation},
                      {"property", "participants"},
                      {"id", IdentityUrl(user)},
                      {"value", BasicIdentityJson(identity, "")}};
}

json::object DistinctFalsePatch() {
  return json::object{{"operation", "set"}, {"property", "distinct"}, {"value", false}};
}

Change ConversationChange(ChangeOp op, const ConversationId& id, std::vector<UserId> recipients,
                          std::string data) {
  Change c;
  c.op = op;
  c.type = ObjectType::kConversation;
  c.object_id = id.str();
  c.conversation_id = id;
  c.recipients = std::move(recipients);
  c.data_json = std::move(data);
  return c;
}

Status RenderFor(OpContext& ctx, const AppId& app, const ConversationId& id, const UserId& user,
                 WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(Membership m, RequireMemberOrApp(ctx.db, app, id, user));
  RELAYER_ASSIGN_OR_RETURN(out.conversation, RenderConversation(ctx.db, m.conv, user, m.me));
  return Status::Ok();
}

// An existing conversation returned to its creator again (id reuse or distinct match).
Status ReturnExisting(OpContext& ctx, const ConversationRow& c, const UserId& creator,
                      WriteResult& out) {
  if (IsAppActor(creator)) {
    RELAYER_ASSIGN_OR_RETURN(out.conversation, RenderConversation(ctx.db, c, creator, {}));
    return Status::Ok();
  }
  RELAYER_ASSIGN_OR_RETURN(auto me, FindParticipant(ctx.db, c.rowid, creator));
  if (!me) return Status(ErrorCode::kIdInUse, "conversation id is in use");
  if (me->hidden) {
    // Asking for it again brings it back; messages deleted for the user's devices stay hidden.
    auto q = ctx.db.Prepare("UPDATE participants SET hidden = 0 WHERE conv = ?1 AND user_id = ?2");
    q.Bind(1, c.rowid).Bind(2, creator.str());
    RELAYER_RETURN_IF_ERROR(q.Exec());
    me->hidden = false;
  }
  RELAYER_ASSIGN_OR_RETURN(out.conversation, RenderConversation(ctx.db, c, creator, *me));
  return Status::Ok();
}

}  // namespace

Status ApplyOp(OpContext& ctx, const CreateConversationOp& op, WriteResult& out) {
  std::vector<UserId> all = op.participants;
  if (!IsAppActor(op.creator)) all.push_back(op.creator);
  if (all.empty()) return MissingProperty("participants", "a conversation needs participants");
  std::vector<UserId> participants = NormalizeParticipants(std::move(all));
  RELAYER_RETURN_IF_ERROR(CheckParticipantCount(ctx, participants.size()));
  if (op.metadata) {
    RELAYER_RETURN_IF_ERROR(ValidateMetadata(json::value(*op.metadata)));
    RELAYER_RETURN_IF_ERROR(CheckMetadataSize(ctx, *op.metadata));
  }

  const ConversationId id = op.id.value_or(op.generated_id);
  if (op.id) {
    RELAYER_ASSIGN_OR_RETURN(auto existing, FindConversationAnyApp(ctx.db, *op.id));
    if (existing) {
      if (existing->app != op.app_id)
        return Status(ErrorCode::kIdInUse, "conversation id is in use");
      out.outcome = CreateOutcome::kIdInUse;
      return ReturnExisting(ctx, *existing, op.creator, out);
    }
  }

  std::optional<std::string> distinct_key;
  if (op.distinct) {
    distinct_key = DistinctKey(participants);
    auto q = ctx.db.Prepare("SELECT id FROM conversations WHERE app = ?1 AND distinct_key = ?2");
    q.Bind(1, op.app_id.str()).Bind(2, *distinct_key);
    std::optional<ConversationId> found;
    if (q.Next()) found = ConversationId(q.Text(0));
    RELAYER_RETURN_IF_ERROR(q.status());
    if (found) {
      RELAYER_ASSIGN_OR_RETURN(ConversationRow c, FindConversationRow(ctx.db, op.app_id, *found));
      RELAYER_ASSIGN_OR_RETURN(json::object metadata, DecodeObject(c.metadata_json));
      out.outcome = !op.metadata || *op.metadata == metadata ? CreateOutcome::kExisting
                                                             : CreateOutcome::kConflict;
      return ReturnExisting(ctx, c, op.creator, out);
    }
  }

  auto q = ctx.db.Prepare(
      "INSERT INTO conversations (id, app, created_at, distinct_key, metadata) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  q.Bind(1, id.str()).Bind(2, op.app_id.str()).Bind(3, op.now).Bind(4, distinct_key);
  q.Bind(5, EncodeObject(op.metadata.value_or(json::object())));
  RELAYER_RETURN_IF_ERROR(q.Exec());
  const int64_t conv = ctx.db.LastInsertRowid();
  for (const UserId& u : participants) RELAYER_RETURN_IF_ERROR(InsertParticipant(ctx.db, conv, u));
  out.outcome = CreateOutcome::kCreated;
  RELAYER_RETURN_IF_ERROR(EmitChange(
      ctx.db, op.app_id, op.now, ConversationChange(ChangeOp::kCreate, id, participants, ""), out));
  RELAYER_RETURN_IF_ERROR(LogSync(
      ctx, op.app_id, op.now,
      {SyncActor::User(op.creator), SyncVerb::kConversationCreated, id.str(), id, ""}, out));
  return RenderFor(ctx, op.app_id, id, op.creator, out);
}

Status ApplyOp(OpContext& ctx, const PatchConversationOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(Membership m, RequireMemberOrApp(ctx.db, op.app_id, op.id, op.actor));
  RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> before, ParticipantIds(ctx.db, m.conv.rowid));
  std::set<UserId> after(before.begin(), before.end());
  if (op.patch.set_participants) {
    auto normalized = NormalizeParticipants(*op.patch.set_participants);
    after = std::set<UserId>(normalized.begin(), normalized.end());
  }
  for (const UserId& u : op.patch.add_participants) after.insert(u);
  for (const UserId& u : op.patch.remove_participants) after.erase(u);
  RELAYER_RETURN_IF_ERROR(CheckParticipantCount(ctx, after.size()));

  std::vector<UserId> added, removed;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(added));
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                      std::back_inserter(removed));

  json::array patch;
  for (const UserId& u : added) {
    RELAYER_RETURN_IF_ERROR(InsertParticipant(ctx.db, m.conv.rowid, u));
    RELAYER_ASSIGN_OR_RETURN(auto p, ParticipantPatch(ctx.db, op.app_id, u, "add"));
    patch.push_back(std::move(p));
  }
  for (const UserId& u : removed) {
    RELAYER_RETURN_IF_ERROR(RemoveParticipant(ctx.db, m.conv.rowid, u));
    RELAYER_ASSIGN_OR_RETURN(auto p, ParticipantPatch(ctx.db, op.app_id, u, "remove"));
    patch.push_back(std::move(p));
  }
  if (!added.empty() || !removed.empty()) {
    RELAYER_RETURN_IF_ERROR(DropDistinct(ctx.db, m.conv.rowid));
    patch.push_back(DistinctFalsePatch());
  }

  if (!op.patch.metadata_ops.empty()) {
    RELAYER_ASSIGN_OR_RETURN(json::object metadata, DecodeObject(m.conv.metadata_json));
    RELAYER_RETURN_IF_ERROR(ApplyMetadataOps(op.patch.metadata_ops, metadata));
    RELAYER_RETURN_IF_ERROR(CheckMetadataSize(ctx, metadata));
    auto q = ctx.db.Prepare("UPDATE conversations SET metadata = ?1 WHERE rowid = ?2");
    q.Bind(1, EncodeObject(metadata)).Bind(2, m.conv.rowid);
    RELAYER_RETURN_IF_ERROR(q.Exec());
    for (const PatchOp& mop : op.patch.metadata_ops) {
      std::string path = JoinPatchPath(mop.path);
      patch.push_back(mop.kind == PatchOpKind::kDelete ? PatchDelete(path)
                                                       : PatchSet(path, mop.value));
    }
  }

  // Users added get the whole conversation (a create) and not the patch, which a client that
  // does not know the conversation yet would apply to an empty copy.
  if (!added.empty()) {
    RELAYER_RETURN_IF_ERROR(EmitChange(
        ctx.db, op.app_id, op.now, ConversationChange(ChangeOp::kCreate, op.id, added, ""), out));
  }
  std::vector<UserId> recipients;
  std::set_difference(after.begin(), after.end(), added.begin(), added.end(),
                      std::back_inserter(recipients));
  if (!patch.empty() && !recipients.empty()) {
    RELAYER_RETURN_IF_ERROR(EmitChange(
        ctx.db, op.app_id, op.now,
        ConversationChange(ChangeOp::kUpdate, op.id, recipients, json::serialize(patch)), out));
  }
  if (!removed.empty()) {
    RELAYER_RETURN_IF_ERROR(EmitChange(
        ctx.db, op.app_id, op.now,
        ConversationChange(ChangeOp::kDelete, op.id, removed, R"({"mode":"my_devices"})"), out));
  }
  if (!added.empty() || !removed.empty()) {
    RELAYER_RETURN_IF_ERROR(LogSync(ctx, op.app_id, op.now,
                                    {SyncActor::User(op.actor), SyncVerb::kParticipantsChanged,
                                     op.id.str(), op.id, ParticipantsDetail(added, removed)},
                                    out));
  }
  if (!op.patch.metadata_ops.empty()) {
    RELAYER_RETURN_IF_ERROR(LogSync(
        ctx, op.app_id, op.now,
        {SyncActor::User(op.actor), SyncVerb::kMetadataChanged, op.id.str(), op.id, ""}, out));
  }
  if (IsAppActor(op.actor) || after.count(op.actor)) {
    return RenderFor(ctx, op.app_id, op.id, op.actor, out);
  }
  return Status::Ok();
}

Status ApplyOp(OpContext& ctx, const DeleteConversationOp& op, WriteResult& out) {
  if (IsAppActor(op.actor) && op.mode != DeletionMode::kAllParticipants) {
    return InvalidProperty("mode", "the app deletes conversations for all participants only");
  }
  RELAYER_ASSIGN_OR_RETURN(Membership m, RequireMemberOrApp(ctx.db, op.app_id, op.id, op.actor));
  const int64_t conv = m.conv.rowid;
  RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> participants, ParticipantIds(ctx.db, conv));

  const bool all = op.mode == DeletionMode::kAllParticipants;
  const bool left = !all && op.leave;
  RELAYER_RETURN_IF_ERROR(
      LogSync(ctx, op.app_id, op.now,
              {SyncActor::User(op.actor),
               left ? SyncVerb::kConversationLeft : SyncVerb::kConversationDeleted, op.id.str(),
               op.id, left ? "" : ModeDetail(all)},
              out));
  if (all) {
    for (const char* sql :
         {"DELETE FROM hidden_messages WHERE msg IN (SELECT rowid FROM messages WHERE conv = ?1)",
          "DELETE FROM messages WHERE conv = ?1", "DELETE FROM participants WHERE conv = ?1",
          "DELETE FROM conversations WHERE rowid = ?1"}) {
      auto q = ctx.db.Prepare(sql);
      q.Bind(1, conv);
      RELAYER_RETURN_IF_ERROR(q.Exec());
    }
    return EmitChange(ctx.db, op.app_id, op.now,
                      ConversationChange(ChangeOp::kDelete, op.id, participants,
                                         R"({"mode":"all_participants"})"),
                      out);
  }

  // my_devices: hide the conversation and everything in it so far, for the actor only.
  auto q = ctx.db.Prepare(
      "UPDATE participants SET hidden = 1, hidden_before = ?3, unread = 0, hidden_below = "
      "(SELECT message_count FROM conversations WHERE rowid = ?1) "
      "WHERE conv = ?1 AND user_id = ?2");
  q.Bind(1, conv).Bind(2, op.actor.str()).Bind(3, m.conv.last_position);
  RELAYER_RETURN_IF_ERROR(q.Exec());
  json::object data{{"mode", "my_devices"}, {"from_position", m.conv.last_position}};
  RELAYER_RETURN_IF_ERROR(EmitChange(
      ctx.db, op.app_id, op.now,
      ConversationChange(ChangeOp::kDelete, op.id, {op.actor}, json::serialize(data)), out));
  if (!op.leave) return Status::Ok();

  RELAYER_RETURN_IF_ERROR(RemoveParticipant(ctx.db, conv, op.actor));
  RELAYER_RETURN_IF_ERROR(DropDistinct(ctx.db, conv));
  std::vector<UserId> others;
  for (const UserId& u : participants) {
    if (u != op.actor) others.push_back(u);
  }
  if (others.empty()) return Status::Ok();
  json::array patch;
  RELAYER_ASSIGN_OR_RETURN(auto p, ParticipantPatch(ctx.db, op.app_id, op.actor, "remove"));
  patch.push_back(std::move(p));
  patch.push_back(DistinctFalsePatch());
  return EmitChange(ctx.db, op.app_id, op.now,
                    ConversationChange(ChangeOp::kUpdate, op.id, others, json::serialize(patch)),
                    out);
}

Status ApplyOp(OpContext& ctx, const MarkAllReadOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(Membership m, RequireMember(ctx.db, op.app_id, op.id, op.actor));
  const int64_t conv = m.conv.rowid;
  const int64_t upto = std::min(op.position.value_or(m.conv.last_position), m.conv.last_position);

  // Messages at or below read_upto were marked read by an earlier call: skip them.
  struct Changed {
    int64_t rowid;
    MessageId id;
    std::string status;
  };
  std::vector<Changed> changed;
  {
    auto q = ctx.db.Prepare(
        "SELECT m.rowid, m.id, m.recipient_status FROM messages m WHERE m.conv = ?1 "
        "AND m.position > ?2 AND m.position <= ?3 AND NOT EXISTS (SELECT 1 FROM hidden_messages "
        "h WHERE h.msg = m.rowid AND h.user_id = ?4) ORDER BY m.position");
    q.Bind(1, conv).Bind(2, std::max(m.me.read_upto, m.me.hidden_before)).Bind(3, upto);
    q.Bind(4, op.actor.str());
    while (q.Next()) {
      RELAYER_ASSIGN_OR_RETURN(auto status, DecodeRecipientStatus(q.Text(2)));
      auto it = status.find(op.actor);
      if (it == status.end() || it->second == ReceiptState::kRead) continue;
      it->second = ReceiptState::kRead;
      changed.push_back({q.Int(0), MessageId(q.Text(1)), EncodeRecipientStatus(status)});
    }
    RELAYER_RETURN_IF_ERROR(q.status());
  }
  for (const Changed& c : changed) {
    auto q = ctx.db.Prepare("UPDATE messages SET recipient_status = ?1 WHERE rowid = ?2");
    q.Bind(1, c.status).Bind(2, c.rowid);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  {
    auto q = ctx.db.Prepare(
        "UPDATE participants SET unread = MAX(0, unread - ?3), read_upto = MAX(read_upto, ?4) "
        "WHERE conv = ?1 AND user_id = ?2");
    q.Bind(1, conv).Bind(2, op.actor.str()).Bind(3, static_cast<int64_t>(changed.size()));
    q.Bind(4, upto);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  if (!changed.empty()) {
    RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> participants, ParticipantIds(ctx.db, conv));
    const std::string data =
        json::serialize(json::array{PatchSet(RecipientStatusPath(op.actor), "read")});
    for (const Changed& c : changed) {
      Change change;
      change.op = ChangeOp::kUpdate;
      change.type = ObjectType::kMessage;
      change.object_id = c.id.str();
      change.conversation_id = op.id;
      change.recipients = participants;
      change.data_json = data;
      RELAYER_RETURN_IF_ERROR(EmitChange(ctx.db, op.app_id, op.now, std::move(change), out));
    }
  }
  RELAYER_RETURN_IF_ERROR(RenderFor(ctx, op.app_id, op.id, op.actor, out));
  if (!changed.empty()) {
    RELAYER_RETURN_IF_ERROR(
        LogSync(ctx, op.app_id, op.now,
                {SyncActor::User(op.actor), SyncVerb::kMarkedAllRead, op.id.str(), op.id,
                 CountDetail(static_cast<int64_t>(changed.size()))},
                out));
    json::array patch{PatchSet("unread_message_count", out.conversation->unread_message_count)};
    RELAYER_RETURN_IF_ERROR(EmitChange(
        ctx.db, op.app_id, op.now,
        ConversationChange(ChangeOp::kUpdate, op.id, {op.actor}, json::serialize(patch)), out));
  }
  return Status::Ok();
}

}  // namespace relayer::sqlite
