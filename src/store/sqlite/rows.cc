#include "store/sqlite/rows.h"

#include <limits>

#include "store/sqlite/codec.h"

namespace relayer::sqlite {
namespace {

constexpr const char* kConversationColumns =
    "SELECT rowid, id, app, created_at, distinct_key, metadata, last_position FROM conversations ";

ConversationRow ConversationFromQuery(const Query& q) {
  ConversationRow c;
  c.rowid = q.Int(0);
  c.id = ConversationId(q.Text(1));
  c.app = AppId(q.Text(2));
  c.created_at = q.Int(3);
  c.distinct_key = q.OptText(4);
  c.metadata_json = q.Text(5);
  c.last_position = q.Int(6);
  return c;
}

// Columns of a message joined with its conversation (for the conversation id).
#define RELAYER_MESSAGE_COLUMNS                                                \
  "SELECT m.rowid, m.conv, m.app, m.id, c.id, m.position, m.sender_user, "     \
  "COALESCE((SELECT i.display_name FROM identities i WHERE i.app = m.app AND " \
  "i.user_id = m.sender_user), m.sender_name), "                               \
  "m.sent_at, m.parts, m.notification, m.recipient_status "                    \
  "FROM messages m JOIN conversations c ON c.rowid = m.conv "

// A message is hidden for a viewer below their my_devices watermark or when deleted singly.
#define RELAYER_VISIBLE_TO_VIEWER                                                           \
  " m.position > ?2 AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.msg = m.rowid " \
  "AND h.user_id = ?3) "

Result<MessageRow> MessageFromQuery(const Query& q) {
  MessageRow r;
  r.rowid = q.Int(0);
  r.conv = q.Int(1);
  r.app = AppId(q.Text(2));
  Message& m = r.message;
  m.id = MessageId(q.Text(3));
  m.conversation_id = ConversationId(q.Text(4));
  m.position = q.Int(5);
  if (auto user = q.OptText(6)) m.sender.user_id = UserId(*user);
  m.sender.name = q.Text(7);
  m.sent_at = q.Int(8);
  auto parts = DecodeParts(q.Text(9));
  if (!parts.ok()) return parts.status();
  m.parts = std::move(parts).value();
  if (auto n = q.OptText(10)) {
    auto obj = DecodeObject(*n);
    if (!obj.ok()) return obj.status();
    m.notification = std::move(obj).value();
  }
  auto status = DecodeRecipientStatus(q.Text(11));
  if (!status.ok()) return status.status();
  m.recipient_status = std::move(status).value();
  return r;
}

Identity IdentityFromQuery(const Query& q, int first) {
  Identity i;
  i.display_name = q.Text(first);
  i.avatar_url = q.Text(first + 1);
  i.first_name = q.Text(first + 2);
  i.last_name = q.Text(first + 3);
  i.email_address = q.Text(first + 4);
  i.phone_number = q.Text(first + 5);
  i.updated_at = q.Int(first + 6);
  return i;
}

}  // namespace

Result<ConversationRow> FindConversationRow(Connection& db, const AppId& app,
                                            const ConversationId& id) {
  auto row = FindConversationAnyApp(db, id);
  if (!row.ok()) return row.status();
  if (!row->has_value() || (*row)->app != app) return NotFound("conversation not found");
  return std::move(**row);
}

Result<std::optional<ConversationRow>> FindConversationAnyApp(Connection& db,
                                                              const ConversationId& id) {
  auto q = db.Prepare(std::string(kConversationColumns) + "WHERE id = ?1");
  q.Bind(1, id.str());
  if (q.Next()) return std::optional<ConversationRow>(ConversationFromQuery(q));
  if (!q.ok()) return q.status();
  return std::optional<ConversationRow>();
}

Result<std::optional<ParticipantRow>> FindParticipant(Connection& db, int64_t conv,
                                                      const UserId& user) {
  auto q = db.Prepare(
      "SELECT unread, hidden, hidden_before, read_upto FROM participants "
      "WHERE conv = ?1 AND user_id = ?2");
  q.Bind(1, conv).Bind(2, user.str());
  if (q.Next()) {
    return std::optional<ParticipantRow>(
        ParticipantRow{q.Int(0), q.Int(1) != 0, q.Int(2), q.Int(3)});
  }
  if (!q.ok()) return q.status();
  return std::optional<ParticipantRow>();
}

Result<std::vector<UserId>> ParticipantIds(Connection& db, int64_t conv) {
  auto q = db.Prepare("SELECT user_id FROM participants WHERE conv = ?1 ORDER BY user_id");
  q.Bind(1, conv);
  std::vector<UserId> out;
  while (q.Next()) out.emplace_back(q.Text(0));
  if (!q.ok()) return q.status();
  return out;
}

Result<std::optional<Identity>> FindIdentity(Connection& db, const AppId& app, const UserId& user) {
  auto q = db.Prepare(
      "SELECT display_name, avatar_url, first_name, last_name, email_address, phone_number, "
      "updated_at FROM identities WHERE app = ?1 AND user_id = ?2");
  q.Bind(1, app.str()).Bind(2, user.str());
  if (q.Next()) {
    Identity i = IdentityFromQuery(q, 0);
    i.user_id = user;
    return std::optional<Identity>(std::move(i));
  }
  if (!q.ok()) return q.status();
  return std::optional<Identity>();
}

Result<Identity> IdentityOrBare(Connection& db, const AppId& app, const UserId& user) {
  auto found = FindIdentity(db, app, user);
  if (!found.ok()) return found.status();
  if (found->has_value()) return std::move(**found);
  Identity bare;
  bare.user_id = user;
  return bare;
}

Result<std::optional<MessageRow>> FindMessageRow(Connection& db, const MessageId& id) {
  auto q = db.Prepare(RELAYER_MESSAGE_COLUMNS "WHERE m.id = ?1");
  q.Bind(1, id.str());
  if (q.Next()) {
    auto row = MessageFromQuery(q);
    if (!row.ok()) return row.status();
    return std::optional<MessageRow>(std::move(row).value());
  }
  if (!q.ok()) return q.status();
  return std::optional<MessageRow>();
}

Result<bool> MessageVisible(Connection& db, const MessageRow& m, const UserId& viewer,
                            const ParticipantRow& p) {
  if (m.message.position <= p.hidden_before) return false;
  auto q = db.Prepare("SELECT 1 FROM hidden_messages WHERE msg = ?1 AND user_id = ?2");
  q.Bind(1, m.rowid).Bind(2, viewer.str());
  bool hidden = q.Next();
  if (!q.ok()) return q.status();
  return !hidden;
}

Result<std::vector<Message>> VisibleMessages(Connection& db, int64_t conv, const UserId& viewer,
                                             const ParticipantRow& p, int64_t below, size_t limit) {
  auto q = db.Prepare(RELAYER_MESSAGE_COLUMNS "WHERE m.conv = ?1 AND" RELAYER_VISIBLE_TO_VIEWER
                                              "AND m.position < ?4 ORDER BY m.position DESC "
                                              "LIMIT ?5");
  q.Bind(1, conv).Bind(2, p.hidden_before).Bind(3, viewer.str()).Bind(4, below);
  q.Bind(5, static_cast<int64_t>(limit));
  std::vector<Message> out;
  while (q.Next()) {
    auto row = MessageFromQuery(q);
    if (!row.ok()) return row.status();
    out.push_back(std::move(row->message));
  }
  if (!q.ok()) return q.status();
  return out;
}

Result<int64_t> CountVisibleMessages(Connection& db, int64_t conv, const UserId& viewer,
                                     const ParticipantRow& p) {
  // Stored counts (schema v2) minus the viewer's one-by-one hidden messages above hidden_before.
  // CROSS JOIN keeps SQLite walking the viewer's few hidden rows, not the conversation.
  auto q = db.Prepare(
      "SELECT c.message_count - COALESCE((SELECT hidden_below FROM participants "
      "WHERE conv = ?1 AND user_id = ?3), 0) - (SELECT COUNT(*) FROM hidden_messages h "
      "CROSS JOIN messages m ON m.rowid = h.msg WHERE h.user_id = ?3 AND m.conv = ?1 AND "
      "m.position > ?2) FROM conversations c WHERE c.rowid = ?1");
  q.Bind(1, conv).Bind(2, p.hidden_before).Bind(3, viewer.str());
  if (!q.Next()) return q.ok() ? Internal("count returned no row") : q.status();
  return q.Int(0);
}

Result<Conversation> RenderConversation(Connection& db, const ConversationRow& c,
                                        const UserId& viewer, const ParticipantRow& p) {
  Conversation out;
  out.id = c.id;
  out.created_at = c.created_at;
  out.distinct = c.distinct_key.has_value();
  out.last_position = c.last_position;
  out.unread_message_count = p.unread;
  auto metadata = DecodeObject(c.metadata_json);
  if (!metadata.ok()) return metadata.status();
  out.metadata = std::move(metadata).value();

  auto q = db.Prepare(
      "SELECT p.user_id, i.display_name, i.avatar_url, i.first_name, i.last_name, "
      "i.email_address, i.phone_number, i.updated_at FROM participants p "
      "LEFT JOIN identities i ON i.app = ?1 AND i.user_id = p.user_id "
      "WHERE p.conv = ?2 ORDER BY p.user_id");
  q.Bind(1, c.app.str()).Bind(2, c.rowid);
  while (q.Next()) {
    Identity i = IdentityFromQuery(q, 1);  // NULL columns of an unknown user read as empty
    i.user_id = UserId(q.Text(0));
    out.participants.push_back(std::move(i));
  }
  if (!q.ok()) return q.status();

  auto total = CountVisibleMessages(db, c.rowid, viewer, p);
  if (!total.ok()) return total.status();
  out.total_message_count = *total;
  auto last = VisibleMessages(db, c.rowid, viewer, p, std::numeric_limits<int64_t>::max(), 1);
  if (!last.ok()) return last.status();
  if (!last->empty()) out.last_message = std::move(last->front());
  return out;
}

namespace {

constexpr const char* kAnnouncementColumns =
    "SELECT a.rowid, a.app, a.id, a.sender_name, a.sent_at, a.parts, a.notification, "
    "a.recipient_status FROM announcements a ";

Result<AnnouncementRow> AnnouncementFromQuery(const Query& q) {
  AnnouncementRow r;
  r.rowid = q.Int(0);
  r.app = AppId(q.Text(1));
  Message& m = r.message;
  m.id = MessageId(q.Text(2));
  m.sender.name = q.Text(3);
  m.sent_at = q.Int(4);
  auto parts = DecodeParts(q.Text(5));
  if (!parts.ok()) return parts.status();
  m.parts = std::move(parts).value();
  if (auto n = q.OptText(6)) {
    auto obj = DecodeObject(*n);
    if (!obj.ok()) return obj.status();
    m.notification = std::move(obj).value();
  }
  auto status = DecodeRecipientStatus(q.Text(7));
  if (!status.ok()) return status.status();
  m.recipient_status = std::move(status).value();
  return r;
}

}  // namespace

Result<std::optional<AnnouncementRow>> FindAnnouncementRow(Connection& db, const MessageId& id) {
  auto q = db.Prepare(std::string(kAnnouncementColumns) + "WHERE a.id = ?1");
  q.Bind(1, id.str());
  if (q.Next()) {
    auto row = AnnouncementFromQuery(q);
    if (!row.ok()) return row.status();
    return std::optional<AnnouncementRow>(std::move(row).value());
  }
  if (!q.ok()) return q.status();
  return std::optional<AnnouncementRow>();
}

Result<bool> IsAnnouncementRecipient(Connection& db, const AppId& app, const UserId& user,
                                     int64_t rowid) {
  auto q = db.Prepare(
      "SELECT 1 FROM announcement_recipients WHERE app = ?1 AND user_id = ?2 AND ann = ?3");
  q.Bind(1, app.str()).Bind(2, user.str()).Bind(3, rowid);
  bool found = q.Next();
  if (!q.ok()) return q.status();
  return found;
}

Result<std::vector<Message>> UserAnnouncements(Connection& db, const AppId& app, const UserId& user,
                                               int64_t below, size_t limit) {
  auto q = db.Prepare(std::string(kAnnouncementColumns) +
                      "JOIN announcement_recipients r ON r.ann = a.rowid WHERE r.app = ?1 AND "
                      "r.user_id = ?2 AND r.ann < ?3 ORDER BY r.ann DESC LIMIT ?4");
  q.Bind(1, app.str()).Bind(2, user.str()).Bind(3, below).Bind(4, static_cast<int64_t>(limit));
  std::vector<Message> out;
  while (q.Next()) {
    auto row = AnnouncementFromQuery(q);
    if (!row.ok()) return row.status();
    out.push_back(std::move(row->message));
  }
  if (!q.ok()) return q.status();
  return out;
}

}  // namespace relayer::sqlite
