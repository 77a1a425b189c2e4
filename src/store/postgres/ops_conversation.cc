// Conversations on PostgreSQL: create (distinct claims), patch, delete, mark-all-read. Writers
// that change a conversation's participants or counters lock its row first (FOR UPDATE), so
// nodes writing the same conversation take turns.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "core/layer_patch.h"
#include "core/representation.h"
#include "core/validation.h"
#include "store/postgres/ops.h"
#include "store/postgres/sql.h"
#include "store/sqlite/codec.h"

namespace relayer::pg {
namespace json = boost::json;
using sqlite::DecodeObject;
using sqlite::DecodeRecipientStatus;
using sqlite::EncodeObject;
using sqlite::EncodeRecipientStatus;

namespace {

Status CheckParticipantCount(const PgOpContext& ctx, size_t n) {
  if (n > ctx.limits.max_participants) {
    return InvalidProperty("participants", "a conversation has at most " +
                                               std::to_string(ctx.limits.max_participants) +
                                               " participants");
  }
  return Status::Ok();
}

Status CheckMetadataSize(const PgOpContext& ctx, const json::object& metadata) {
  if (EncodeObject(metadata).size() > ctx.limits.max_metadata_bytes) {
    return InvalidProperty(
        "metadata",
        "metadata is larger than " + std::to_string(ctx.limits.max_metadata_bytes) + " bytes");
  }
  return Status::Ok();
}

std::vector<std::string> Strings(const std::vector<UserId>& users) {
  std::vector<std::string> out;
  out.reserve(users.size());
  for (const UserId& u : users) out.push_back(u.str());
  return out;
}

// Every user in one statement.
Status InsertParticipants(Connection& db, const AppId& app, const ConversationId& conv,
                          const std::vector<UserId>& users) {
  if (users.empty()) return Status::Ok();
  return db
      .Query(
          "INSERT INTO participants (app, conv, user_id) SELECT $1, $2, u "
          "FROM unnest($3::text[]) AS u ON CONFLICT DO NOTHING",
          {app.str(), conv.str(), TextArray(Strings(users))})
      .status();
}

Status RemoveParticipants(Connection& db, const AppId& app, const ConversationId& conv,
                          const std::vector<UserId>& users) {
  if (users.empty()) return Status::Ok();
  const std::string array = TextArray(Strings(users));
  RELAYER_RETURN_IF_ERROR(db.Query("DELETE FROM participants WHERE app = $1 AND conv = $2 AND "
                                   "user_id = ANY($3::text[])",
                                   {app.str(), conv.str(), array})
                              .status());
  // A user added back later starts without the single-message deletions of before.
  return db
      .Query(
          "DELETE FROM hidden_messages WHERE app = $1 AND conv = $2 AND "
          "user_id = ANY($3::text[])",
          {app.str(), conv.str(), array})
      .status();
}

Status DropDistinct(Connection& db, const AppId& app, const ConversationId& conv) {
  return db
      .Query("DELETE FROM distinct_conversations WHERE app = $1 AND conv = $2",
             {app.str(), conv.str()})
      .status();
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

Status RenderFor(PgOpContext& ctx, const AppId& app, const ConversationId& id, const UserId& user,
                 WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(Membership m, RequireMemberOrApp(ctx.db, app, id, user));
  RELAYER_ASSIGN_OR_RETURN(out.conversation, RenderConversation(ctx.db, m.conv, user, m.me));
  return Status::Ok();
}

// An existing conversation returned to its creator again (id reuse or distinct match).
Status ReturnExisting(PgOpContext& ctx, const ConversationRow& c, const UserId& creator,
                      WriteResult& out) {
  if (IsAppActor(creator)) {
    RELAYER_ASSIGN_OR_RETURN(out.conversation, RenderConversation(ctx.db, c, creator, {}));
    return Status::Ok();
  }
  RELAYER_ASSIGN_OR_RETURN(auto me, FindParticipant(ctx.db, c.app, c.id, creator));
  if (!me) return Status(ErrorCode::kIdInUse, "conversation id is in use");
  if (me->hidden) {
    // Asking for it again brings it back; messages deleted for the user's devices stay hidden.
    RELAYER_RETURN_IF_ERROR(ctx.db
                                .Query("UPDATE participants SET hidden = false WHERE app = $1 AND "
                                       "conv = $2 AND user_id = $3",
                                       {c.app.str(), c.id.str(), creator.str()})
                                .status());
    me->hidden = false;
  }
  RELAYER_ASSIGN_OR_RETURN(out.conversation, RenderConversation(ctx.db, c, creator, *me));
  return Status::Ok();
}

// The distinct conversation holding `key`, if any, returned as kExisting or kConflict.
Result<bool> ReturnDistinct(PgOpContext& ctx, const CreateConversationOp& op,
                            const std::string& key, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(Rows rows, ctx.db.Query("SELECT conv FROM distinct_conversations "
                                                   "WHERE app = $1 AND distinct_key = $2",
                                                   {op.app_id.str(), key}));
  if (rows.rows.empty()) return false;
  const ConversationId found(Text(rows.rows[0][0]));
  RELAYER_ASSIGN_OR_RETURN(ConversationRow c, FindConversationRow(ctx.db, op.app_id, found));
  RELAYER_ASSIGN_OR_RETURN(json::object metadata, DecodeObject(c.metadata_json));
  out.outcome = !op.metadata || *op.metadata == metadata ? CreateOutcome::kExisting
                                                         : CreateOutcome::kConflict;
  RELAYER_RETURN_IF_ERROR(ReturnExisting(ctx, c, op.creator, out));
  return true;
}

}  // namespace

Status Apply(PgOpContext& ctx, const CreateConversationOp& op, WriteResult& out) {
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
  if (!IsUuid(id.str())) return InvalidProperty("id", "a conversation id is a UUID");
  if (op.id) {
    auto existing = FindConversationRow(ctx.db, op.app_id, *op.id);
    if (existing.ok()) {
      out.outcome = CreateOutcome::kIdInUse;
      return ReturnExisting(ctx, *existing, op.creator, out);
    }
    if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
  }
  std::optional<std::string> distinct_key;
  if (op.distinct) {
    distinct_key = DistinctKey(participants);
    RELAYER_ASSIGN_OR_RETURN(bool found, ReturnDistinct(ctx, op, *distinct_key, out));
    if (found) return Status::Ok();
  }

  // Another node may insert the same id or claim the same set at the same moment: the inserts
  // wait for its transaction and then do nothing, and the winner's conversation is returned.
  RELAYER_ASSIGN_OR_RETURN(
      Rows inserted, ctx.db.Query("INSERT INTO conversations (app, id, created_at, metadata) "
                                  "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1",
                                  {op.app_id.str(), id.str(), P(op.now),
                                   EncodeObject(op.metadata.value_or(json::object()))}));
  if (inserted.rows.empty()) {
    RELAYER_ASSIGN_OR_RETURN(ConversationRow c, FindConversationRow(ctx.db, op.app_id, id));
    out.outcome = CreateOutcome::kIdInUse;
    return ReturnExisting(ctx, c, op.creator, out);
  }
  if (distinct_key) {
    RELAYER_ASSIGN_OR_RETURN(
        Rows claimed, ctx.db.Query("INSERT INTO distinct_conversations (app, distinct_key, conv) "
                                   "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1",
                                   {op.app_id.str(), *distinct_key, id.str()}));
    if (claimed.rows.empty()) {
      RELAYER_RETURN_IF_ERROR(ctx.db
                                  .Query("DELETE FROM conversations WHERE app = $1 AND id = $2",
                                         {op.app_id.str(), id.str()})
                                  .status());
      RELAYER_ASSIGN_OR_RETURN(bool found, ReturnDistinct(ctx, op, *distinct_key, out));
      if (found) return Status::Ok();
      return Internal("postgres: lost a distinct claim to a conversation that is gone");
    }
  }
  RELAYER_RETURN_IF_ERROR(InsertParticipants(ctx.db, op.app_id, id, participants));
  out.outcome = CreateOutcome::kCreated;
  RELAYER_RETURN_IF_ERROR(EmitChange(
      ctx, op.app_id, op.now, ConversationChange(ChangeOp::kCreate, id, participants, ""), out));
  RELAYER_RETURN_IF_ERROR(LogSync(
      ctx, op.app_id, op.now,
      {SyncActor::User(op.creator), SyncVerb::kConversationCreated, id.str(), id, ""}, out));
  return RenderFor(ctx, op.app_id, id, op.creator, out);
}

Status Apply(PgOpContext& ctx, const PatchConversationOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(Membership m,
                           RequireMemberOrApp(ctx.db, op.app_id, op.id, op.actor, /*lock=*/true));
  RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> before, ParticipantIds(ctx.db, op.app_id, op.id));
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
  RELAYER_RETURN_IF_ERROR(InsertParticipants(ctx.db, op.app_id, op.id, added));
  for (const UserId& u : added) {
    RELAYER_ASSIGN_OR_RETURN(auto p, ParticipantPatch(ctx.db, op.app_id, u, "add"));
    patch.push_back(std::move(p));
  }
  RELAYER_RETURN_IF_ERROR(RemoveParticipants(ctx.db, op.app_id, op.id, removed));
  for (const UserId& u : removed) {
    RELAYER_ASSIGN_OR_RETURN(auto p, ParticipantPatch(ctx.db, op.app_id, u, "remove"));
    patch.push_back(std::move(p));
  }
  if (!added.empty() || !removed.empty()) {
    RELAYER_RETURN_IF_ERROR(DropDistinct(ctx.db, op.app_id, op.id));
    patch.push_back(DistinctFalsePatch());
  }

  if (!op.patch.metadata_ops.empty()) {
    RELAYER_ASSIGN_OR_RETURN(json::object metadata, DecodeObject(m.conv.metadata_json));
    RELAYER_RETURN_IF_ERROR(ApplyMetadataOps(op.patch.metadata_ops, metadata));
    RELAYER_RETURN_IF_ERROR(CheckMetadataSize(ctx, metadata));
    RELAYER_RETURN_IF_ERROR(
        ctx.db
            .Query("UPDATE conversations SET metadata = $3 WHERE app = $1 AND id = $2",
                   {op.app_id.str(), op.id.str(), EncodeObject(metadata)})
            .status());
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
        ctx, op.app_id, op.now, ConversationChange(ChangeOp::kCreate, op.id, added, ""), out));
  }
  std::vector<UserId> recipients;
  std::set_difference(after.begin(), after.end(), added.begin(), added.end(),
                      std::back_inserter(recipients));
  if (!patch.empty() && !recipients.empty()) {
    RELAYER_RETURN_IF_ERROR(EmitChange(
        ctx, op.app_id, op.now,
        ConversationChange(ChangeOp::kUpdate, op.id, recipients, json::serialize(patch)), out));
  }
  if (!removed.empty()) {
    RELAYER_RETURN_IF_ERROR(EmitChange(
        ctx, op.app_id, op.now,
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

Status Apply(PgOpContext& ctx, const DeleteConversationOp& op, WriteResult& out) {
  if (IsAppActor(op.actor) && op.mode != DeletionMode::kAllParticipants) {
    return InvalidProperty("mode", "the app deletes conversations for all participants only");
  }
  RELAYER_ASSIGN_OR_RETURN(Membership m,
                           RequireMemberOrApp(ctx.db, op.app_id, op.id, op.actor, /*lock=*/true));
  RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> participants,
                           ParticipantIds(ctx.db, op.app_id, op.id));

  const bool all = op.mode == DeletionMode::kAllParticipants;
  const bool left = !all && op.leave;
  RELAYER_RETURN_IF_ERROR(
      LogSync(ctx, op.app_id, op.now,
              {SyncActor::User(op.actor),
               left ? SyncVerb::kConversationLeft : SyncVerb::kConversationDeleted, op.id.str(),
               op.id, left ? "" : ModeDetail(all)},
              out));
  if (all) {
    // Participants, messages, their ids, hidden rows and the distinct claim go with it (cascade).
    RELAYER_RETURN_IF_ERROR(ctx.db
                                .Query("DELETE FROM conversations WHERE app = $1 AND id = $2",
                                       {op.app_id.str(), op.id.str()})
                                .status());
    return EmitChange(ctx, op.app_id, op.now,
                      ConversationChange(ChangeOp::kDelete, op.id, participants,
                                         R"({"mode":"all_participants"})"),
                      out);
  }

  // my_devices: hide the conversation and everything in it so far, for the actor only.
  RELAYER_RETURN_IF_ERROR(
      ctx.db
          .Query("UPDATE participants SET hidden = true, hidden_before = $4, unread = 0, "
                 "hidden_below = $5 WHERE app = $1 AND conv = $2 AND user_id = $3",
                 {op.app_id.str(), op.id.str(), op.actor.str(), P(m.conv.last_position),
                  P(m.conv.message_count)})
          .status());
  json::object data{{"mode", "my_devices"}, {"from_position", m.conv.last_position}};
  RELAYER_RETURN_IF_ERROR(EmitChange(
      ctx, op.app_id, op.now,
      ConversationChange(ChangeOp::kDelete, op.id, {op.actor}, json::serialize(data)), out));
  if (!op.leave) return Status::Ok();

  RELAYER_RETURN_IF_ERROR(RemoveParticipants(ctx.db, op.app_id, op.id, {op.actor}));
  RELAYER_RETURN_IF_ERROR(DropDistinct(ctx.db, op.app_id, op.id));
  std::vector<UserId> others;
  for (const UserId& u : participants) {
    if (u != op.actor) others.push_back(u);
  }
  if (others.empty()) return Status::Ok();
  json::array patch;
  RELAYER_ASSIGN_OR_RETURN(auto p, ParticipantPatch(ctx.db, op.app_id, op.actor, "remove"));
  patch.push_back(std::move(p));
  patch.push_back(DistinctFalsePatch());
  return EmitChange(ctx, op.app_id, op.now,
                    ConversationChange(ChangeOp::kUpdate, op.id, others, json::serialize(patch)),
                    out);
}

Status Apply(PgOpContext& ctx, const MarkAllReadOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(Membership m,
                           RequireMember(ctx.db, op.app_id, op.id, op.actor, /*lock=*/true));
  const int64_t upto = std::min(op.position.value_or(m.conv.last_position), m.conv.last_position);

  // Messages at or below read_upto were marked read by an earlier call: skip them.
  struct Changed {
    int64_t position;
    MessageId id;
    std::string status;
  };
  std::vector<Changed> changed;
  {
    RELAYER_ASSIGN_OR_RETURN(
        Rows rows,
        ctx.db.Query("SELECT m.position, m.id, m.recipient_status FROM messages m "
                     "WHERE m.app = $1 AND m.conv = $2 AND m.position > $3 AND m.position <= $4 "
                     "AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.app = m.app AND "
                     "h.conv = m.conv AND h.user_id = $5 AND h.position = m.position) "
                     "ORDER BY m.position FOR UPDATE OF m",
                     {op.app_id.str(), op.id.str(), P(std::max(m.me.read_upto, m.me.hidden_before)),
                      P(upto), op.actor.str()}));
    for (const Row& r : rows.rows) {
      RELAYER_ASSIGN_OR_RETURN(auto status, DecodeRecipientStatus(Text(r[2])));
      auto it = status.find(op.actor);
      if (it == status.end() || it->second == ReceiptState::kRead) continue;
      it->second = ReceiptState::kRead;
      changed.push_back({Int(r[0]), MessageId(Text(r[1])), EncodeRecipientStatus(status)});
    }
  }
  if (!changed.empty()) {
    std::vector<std::string> positions, statuses;
    for (const Changed& c : changed) {
      positions.push_back(std::to_string(c.position));
      statuses.push_back(c.status);
    }
    RELAYER_RETURN_IF_ERROR(
        ctx.db
            .Query("UPDATE messages m SET recipient_status = u.status FROM unnest($3::bigint[], "
                   "$4::text[]) AS u(position, status) WHERE m.app = $1 AND m.conv = $2 AND "
                   "m.position = u.position",
                   {op.app_id.str(), op.id.str(), TextArray(positions), TextArray(statuses)})
            .status());
  }
  RELAYER_RETURN_IF_ERROR(
      ctx.db
          .Query("UPDATE participants SET unread = GREATEST(0, unread - $4), "
                 "read_upto = GREATEST(read_upto, $5) WHERE app = $1 AND conv = $2 AND "
                 "user_id = $3",
                 {op.app_id.str(), op.id.str(), op.actor.str(),
                  P(static_cast<int64_t>(changed.size())), P(upto)})
          .status());
  if (!changed.empty()) {
    RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> participants,
                             ParticipantIds(ctx.db, op.app_id, op.id));
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
      RELAYER_RETURN_IF_ERROR(EmitChange(ctx, op.app_id, op.now, std::move(change), out));
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
        ctx, op.app_id, op.now,
        ConversationChange(ChangeOp::kUpdate, op.id, {op.actor}, json::serialize(patch)), out));
  }
  return Status::Ok();
}

}  // namespace relayer::pg
