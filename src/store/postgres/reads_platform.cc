// Platform API reads on PostgreSQL: announcements, block lists, badges, If-None-Match answers.
#include <algorithm>
#include <limits>

#include "store/postgres/announcements.h"
#include "store/postgres/reads.h"
#include "store/postgres/sql.h"
#include "store/sqlite/codec.h"

namespace relayer::pg {
namespace {

constexpr const char* kAnnouncementColumns =
    "SELECT a.seq, a.app, a.id, a.sender_name, a.sent_at, a.parts, a.notification, "
    "a.recipient_status FROM announcements a ";

Result<AnnouncementRow> AnnouncementFromRow(const Row& r) {
  AnnouncementRow out;
  out.seq = Int(r[0]);
  out.app = AppId(Text(r[1]));
  Message& m = out.message;
  m.id = MessageId(Text(r[2]));
  m.sender.name = Text(r[3]);
  m.sent_at = Int(r[4]);
  RELAYER_ASSIGN_OR_RETURN(m.parts, sqlite::DecodeParts(Text(r[5])));
  if (r[6]) {
    RELAYER_ASSIGN_OR_RETURN(m.notification, sqlite::DecodeObject(*r[6]));
  }
  RELAYER_ASSIGN_OR_RETURN(m.recipient_status, sqlite::DecodeRecipientStatus(Text(r[7])));
  return out;
}

// The announcements of `user`, newest first, seqs below `below`.
Result<std::vector<Message>> UserAnnouncements(Connection& db, const AppId& app, const UserId& user,
                                               int64_t below, size_t limit) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query(std::string(kAnnouncementColumns) +
                           "JOIN announcement_recipients r ON r.ann = a.seq WHERE r.app = $1 AND "
                           "r.user_id = $2 AND r.ann < $3 ORDER BY r.ann DESC LIMIT $4",
                       {P(app.str()), P(user.str()), P(below), P(static_cast<int64_t>(limit))}));
  std::vector<Message> out;
  for (const Row& row : r.rows) {
    RELAYER_ASSIGN_OR_RETURN(AnnouncementRow a, AnnouncementFromRow(row));
    out.push_back(std::move(a.message));
  }
  return out;
}

}  // namespace

Result<std::optional<AnnouncementRow>> FindAnnouncementRow(Connection& db, const AppId& app,
                                                           const MessageId& id, bool lock) {
  // The column is a uuid: anything else cannot name an announcement (and must not fail the query).
  if (!ParseMessageId(id.str())) return std::optional<AnnouncementRow>();
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query(std::string(kAnnouncementColumns) + "WHERE a.app = $1 AND a.id = $2::uuid" +
                           (lock ? " FOR UPDATE" : ""),
                       {P(app.str()), P(id.str())}));
  if (r.rows.empty()) return std::optional<AnnouncementRow>();
  RELAYER_ASSIGN_OR_RETURN(AnnouncementRow row, AnnouncementFromRow(r.rows[0]));
  return std::optional<AnnouncementRow>(std::move(row));
}

Result<bool> IsAnnouncementRecipient(Connection& db, const AppId& app, const UserId& user,
                                     int64_t seq) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query("SELECT 1 FROM announcement_recipients WHERE app = $1 AND user_id = $2 AND "
                       "ann = $3",
                       {P(app.str()), P(user.str()), P(seq)}));
  return !r.rows.empty();
}

Result<Message> ReadAnnouncement(Connection& db, const AppId& app, const UserId& viewer,
                                 const MessageId& id) {
  RELAYER_ASSIGN_OR_RETURN(auto row, FindAnnouncementRow(db, app, id));
  if (!row) return NotFound("announcement not found");
  if (!IsAppActor(viewer)) {
    RELAYER_ASSIGN_OR_RETURN(bool mine, IsAnnouncementRecipient(db, app, viewer, row->seq));
    if (!mine) return NotFound("announcement not found");
  }
  return std::move(row->message);
}

Result<MessageList> ReadAnnouncements(Connection& db, const Limits& limits, const AppId& app,
                                      const UserId& viewer, const Page& page) {
  MessageList out;
  {
    RELAYER_ASSIGN_OR_RETURN(
        Rows r, db.Query("SELECT count(*) FROM announcement_recipients WHERE app = $1 AND "
                         "user_id = $2",
                         {P(app.str()), P(viewer.str())}));
    if (r.rows.empty()) return Internal("count returned no row");
    out.total = Int(r.rows[0][0]);
  }
  int64_t below = std::numeric_limits<int64_t>::max();
  if (page.from_id) {
    auto from_id = ParseMessageId(*page.from_id);
    if (!from_id) return out;
    RELAYER_ASSIGN_OR_RETURN(auto from, FindAnnouncementRow(db, app, *from_id));
    if (!from) return out;
    below = from->seq;
  }
  size_t n = page.page_size == 0 ? limits.default_page_size : page.page_size;
  RELAYER_ASSIGN_OR_RETURN(
      out.items, UserAnnouncements(db, app, viewer, below, std::min(n, limits.max_page_size)));
  return out;
}

Result<std::vector<UserId>> ReadBlocks(Connection& db, const AppId& app, const UserId& owner) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query("SELECT blocked FROM blocks WHERE app = $1 AND owner = $2 ORDER BY blocked "
                       "COLLATE \"C\"",
                       {P(app.str()), P(owner.str())}));
  std::vector<UserId> out;
  for (const Row& row : r.rows) out.emplace_back(Text(row[0]));
  return out;
}

Result<Badge> ReadBadge(Connection& db, const AppId& app, const UserId& user) {
  Badge b;
  {
    RELAYER_ASSIGN_OR_RETURN(
        Rows r, db.Query("SELECT external_unread_count FROM badges WHERE app = $1 AND user_id = $2",
                         {P(app.str()), P(user.str())}));
    if (!r.rows.empty()) b.external_unread_count = Int(r.rows[0][0]);
  }
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query("SELECT count(*), COALESCE(sum(unread), 0) FROM participants WHERE app = $1 "
                       "AND user_id = $2 AND NOT hidden AND unread > 0",
                       {P(app.str()), P(user.str())}));
  if (r.rows.empty()) return Internal("count returned no row");
  b.unread_conversation_count = Int(r.rows[0][0]);
  b.unread_message_count = Int(r.rows[0][1]);
  return b;
}

Result<std::optional<DedupEntry>> ReadDedup(Connection& db, const AppId& app,
                                            const std::string& key, TimeMs now) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query("SELECT status, body FROM platform_dedup WHERE app = $1 AND key = $2 AND "
                       "expires_at > $3",
                       {P(app.str()), P(key), P(now)}));
  if (r.rows.empty()) return std::optional<DedupEntry>();
  return std::optional<DedupEntry>(
      DedupEntry{static_cast<int>(Int(r.rows[0][0])), Text(r.rows[0][1])});
}

}  // namespace relayer::pg
