#include "store/postgres/rows.h"

#include <limits>

#include "core/ids.h"
#include "store/postgres/sql.h"
#include "store/sqlite/codec.h"

namespace relayer::pg {
namespace {

using sqlite::DecodeObject;
using sqlite::DecodeParts;
using sqlite::DecodeRecipientStatus;

// Columns of a conversation joined with its distinct claim.
constexpr const char* kConversationColumns =
    "SELECT c.id, c.app, c.created_at, d.conv IS NOT NULL, c.metadata, c.last_position, "
    "c.message_count FROM conversations c LEFT JOIN distinct_conversations d "
    "ON d.app = c.app AND d.conv = c.id ";

ConversationRow ConversationFromRow(const Row& r) {
  ConversationRow c;
  c.id = ConversationId(Text(r[0]));
  c.app = AppId(Text(r[1]));
  c.created_at = Int(r[2]);
  c.distinct = Bool(r[3]);
  c.metadata_json = Text(r[4]);
  c.last_position = Int(r[5]);
  c.message_count = Int(r[6]);
  return c;
}

Identity IdentityFromRow(const Row& r, size_t first) {
  Identity i;
  i.display_name = Text(r[first]);
  i.avatar_url = Text(r[first + 1]);
  i.first_name = Text(r[first + 2]);
  i.last_name = Text(r[first + 3]);
  i.email_address = Text(r[first + 4]);
  i.phone_number = Text(r[first + 5]);
  i.updated_at = Int(r[first + 6]);
  return i;
}

}  // namespace

// The sender's current display name wins over the stored name (see sqlite/rows.cc).
const char* const kMessageColumns =
    "SELECT m.app, m.conv, m.position, m.id, m.sender_user, "
    "COALESCE((SELECT i.display_name FROM identities i WHERE i.app = m.app AND "
    "i.user_id = m.sender_user), m.sender_name), m.sent_at, m.parts, m.notification, "
    "m.recipient_status FROM messages m ";

Result<MessageRow> MessageFromRow(const Row& r) {
  MessageRow out;
  out.app = AppId(Text(r[0]));
  Message& m = out.message;
  m.conversation_id = ConversationId(Text(r[1]));
  m.position = Int(r[2]);
  m.id = MessageId(Text(r[3]));
  if (r[4]) m.sender.user_id = UserId(*r[4]);
  m.sender.name = Text(r[5]);
  m.sent_at = Int(r[6]);
  auto parts = DecodeParts(Text(r[7]));
  if (!parts.ok()) return parts.status();
  m.parts = std::move(parts).value();
  if (r[8]) {
    auto obj = DecodeObject(*r[8]);
    if (!obj.ok()) return obj.status();
    m.notification = std::move(obj).value();
  }
  auto status = DecodeRecipientStatus(Text(r[9]));
  if (!status.ok()) return status.status();
  m.recipient_status = std::move(status).value();
  return out;
}

Result<ConversationRow> FindConversationRow(Connection& db, const AppId& app,
                                            const ConversationId& id, bool lock) {
  if (!IsUuid(id.str())) return NotFound("conversation not found");
  std::string sql = std::string(kConversationColumns) + "WHERE c.app = $1 AND c.id = $2";
  if (lock) sql += " FOR UPDATE OF c";
  RELAYER_ASSIGN_OR_RETURN(Rows rows, db.Query(sql, {app.str(), id.str()}));
  if (rows.rows.empty()) return NotFound("conversation not found");
  return ConversationFromRow(rows.rows[0]);
}

Result<std::optional<ParticipantRow>> FindParticipant(Connection& db, const AppId& app,
                                                      const ConversationId& conv,
                                                      const UserId& user) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      db.Query("SELECT unread, hidden, hidden_before, hidden_below, read_upto FROM participants "
               "WHERE app = $1 AND conv = $2 AND user_id = $3",
               {app.str(), conv.str(), user.str()}));
  if (rows.rows.empty()) return std::optional<ParticipantRow>();
  const Row& r = rows.rows[0];
  return std::optional<ParticipantRow>(
      ParticipantRow{Int(r[0]), Bool(r[1]), Int(r[2]), Int(r[3]), Int(r[4])});
}

Result<std::vector<UserId>> ParticipantIds(Connection& db, const AppId& app,
                                           const ConversationId& conv) {
  RELAYER_ASSIGN_OR_RETURN(Rows rows, db.Query("SELECT user_id FROM participants WHERE app = $1 "
                                               "AND conv = $2 ORDER BY user_id COLLATE \"C\"",
                                               {app.str(), conv.str()}));
  std::vector<UserId> out;
  out.reserve(rows.rows.size());
  for (const Row& r : rows.rows) out.emplace_back(Text(r[0]));
  return out;
}

Result<std::optional<Identity>> FindIdentity(Connection& db, const AppId& app, const UserId& user) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      db.Query("SELECT display_name, avatar_url, first_name, last_name, email_address, "
               "phone_number, updated_at FROM identities WHERE app = $1 AND user_id = $2",
               {app.str(), user.str()}));
  if (rows.rows.empty()) return std::optional<Identity>();
  Identity i = IdentityFromRow(rows.rows[0], 0);
  i.user_id = user;
  return std::optional<Identity>(std::move(i));
}

Result<Identity> IdentityOrBare(Connection& db, const AppId& app, const UserId& user) {
  RELAYER_ASSIGN_OR_RETURN(auto found, FindIdentity(db, app, user));
  if (found) return std::move(*found);
  Identity bare;
  bare.user_id = user;
  return bare;
}

Result<std::optional<MessageRow>> FindMessageRow(Connection& db, const AppId& app,
                                                 const MessageId& id, bool lock) {
  if (!IsUuid(id.str())) return std::optional<MessageRow>();
  std::string sql = std::string(kMessageColumns) +
                    "JOIN message_ids x ON x.app = m.app AND x.conv = m.conv AND "
                    "x.position = m.position WHERE x.app = $1 AND x.id = $2";
  if (lock) sql += " FOR UPDATE OF m";
  RELAYER_ASSIGN_OR_RETURN(Rows rows, db.Query(sql, {app.str(), id.str()}));
  if (rows.rows.empty()) return std::optional<MessageRow>();
  RELAYER_ASSIGN_OR_RETURN(MessageRow row, MessageFromRow(rows.rows[0]));
  return std::optional<MessageRow>(std::move(row));
}

Result<bool> MessageVisible(Connection& db, const MessageRow& m, const UserId& viewer,
                            const ParticipantRow& p) {
  if (m.message.position <= p.hidden_before) return false;
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows, db.Query("SELECT 1 FROM hidden_messages WHERE app = $1 AND conv = $2 AND "
                          "user_id = $3 AND position = $4",
                          {m.app.str(), m.message.conversation_id.str(), viewer.str(),
                           P(m.message.position)}));
  return rows.rows.empty();
}

Result<std::vector<Message>> VisibleMessages(Connection& db, const AppId& app,
                                             const ConversationId& conv, const UserId& viewer,
                                             const ParticipantRow& p, int64_t below, size_t limit) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      db.Query(std::string(kMessageColumns) +
                   "WHERE m.app = $1 AND m.conv = $2 AND m.position > $3 AND m.position < $4 "
                   "AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.app = m.app AND "
                   "h.conv = m.conv AND h.user_id = $5 AND h.position = m.position) "
                   "ORDER BY m.position DESC LIMIT $6",
               {app.str(), conv.str(), P(p.hidden_before), P(below), viewer.str(),
                P(static_cast<int64_t>(limit))}));
  std::vector<Message> out;
  out.reserve(rows.rows.size());
  for (const Row& r : rows.rows) {
    RELAYER_ASSIGN_OR_RETURN(MessageRow m, MessageFromRow(r));
    out.push_back(std::move(m.message));
  }
  return out;
}

Result<int64_t> CountVisibleMessages(Connection& db, const AppId& app, const ConversationId& conv,
                                     const UserId& viewer, const ParticipantRow& p) {
  // Stored counts minus the viewer's one-by-one hidden messages above hidden_before.
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      db.Query("SELECT c.message_count - $4::bigint - (SELECT count(*) FROM hidden_messages h "
               "WHERE h.app = $1 AND h.conv = $2 AND h.user_id = $3 AND h.position > $5) "
               "FROM conversations c WHERE c.app = $1 AND c.id = $2",
               {app.str(), conv.str(), viewer.str(), P(p.hidden_below), P(p.hidden_before)}));
  if (rows.rows.empty()) return NotFound("conversation not found");
  return Int(rows.rows[0][0]);
}

Result<Conversation> RenderConversation(Connection& db, const ConversationRow& c,
                                        const UserId& viewer, const ParticipantRow& p) {
  Conversation out;
  out.id = c.id;
  out.created_at = c.created_at;
  out.distinct = c.distinct;
  out.last_position = c.last_position;
  out.unread_message_count = p.unread;
  RELAYER_ASSIGN_OR_RETURN(out.metadata, DecodeObject(c.metadata_json));
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      db.Query("SELECT p.user_id, i.display_name, i.avatar_url, i.first_name, i.last_name, "
               "i.email_address, i.phone_number, i.updated_at FROM participants p "
               "LEFT JOIN identities i ON i.app = p.app AND i.user_id = p.user_id "
               "WHERE p.app = $1 AND p.conv = $2 ORDER BY p.user_id COLLATE \"C\"",
               {c.app.str(), c.id.str()}));
  for (const Row& r : rows.rows) {
    Identity i = IdentityFromRow(r, 1);  // NULL columns of an unknown user read as empty
    i.user_id = UserId(Text(r[0]));
    out.participants.push_back(std::move(i));
  }
  RELAYER_ASSIGN_OR_RETURN(out.total_message_count,
                           CountVisibleMessages(db, c.app, c.id, viewer, p));
  RELAYER_ASSIGN_OR_RETURN(auto last, VisibleMessages(db, c.app, c.id, viewer, p,
                                                      std::numeric_limits<int64_t>::max(), 1));
  if (!last.empty()) out.last_message = std::move(last.front());
  return out;
}

}  // namespace relayer::pg
