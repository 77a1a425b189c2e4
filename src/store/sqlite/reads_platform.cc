// Reads of the Platform API state: announcements, block lists, badges, If-None-Match answers.
#include <algorithm>
#include <limits>

#include "store/sqlite/reads.h"
#include "store/sqlite/rows.h"

namespace relayer::sqlite {

Result<Message> ReadAnnouncement(Connection& db, const AppId& app, const UserId& viewer,
                                 const MessageId& id) {
  auto row = FindAnnouncementRow(db, id);
  if (!row.ok()) return row.status();
  if (!row->has_value() || (*row)->app != app) return NotFound("announcement not found");
  if (!IsAppActor(viewer)) {
    auto mine = IsAnnouncementRecipient(db, app, viewer, (*row)->rowid);
    if (!mine.ok()) return mine.status();
    if (!*mine) return NotFound("announcement not found");
  }
  return std::move((*row)->message);
}

Result<MessageList> ReadAnnouncements(Connection& db, const Limits& limits, const AppId& app,
                                      const UserId& viewer, const Page& page) {
  MessageList out;
  {
    auto q =
        db.Prepare("SELECT COUNT(*) FROM announcement_recipients WHERE app = ?1 AND user_id = ?2");
    q.Bind(1, app.str()).Bind(2, viewer.str());
    if (!q.Next()) return q.ok() ? Internal("count returned no row") : q.status();
    out.total = q.Int(0);
  }
  int64_t below = std::numeric_limits<int64_t>::max();
  if (page.from_id) {
    auto from_id = ParseMessageId(*page.from_id);
    if (!from_id) return out;
    auto from = FindAnnouncementRow(db, *from_id);
    if (!from.ok()) return from.status();
    if (!from->has_value() || (*from)->app != app) return out;
    below = (*from)->rowid;
  }
  size_t n = page.page_size == 0 ? limits.default_page_size : page.page_size;
  auto items = UserAnnouncements(db, app, viewer, below, std::min(n, limits.max_page_size));
  if (!items.ok()) return items.status();
  out.items = std::move(items).value();
  return out;
}

Result<std::vector<UserId>> ReadBlocks(Connection& db, const AppId& app, const UserId& owner) {
  auto q = db.Prepare("SELECT blocked FROM blocks WHERE app = ?1 AND owner = ?2 ORDER BY blocked");
  q.Bind(1, app.str()).Bind(2, owner.str());
  std::vector<UserId> out;
  while (q.Next()) out.emplace_back(q.Text(0));
  if (!q.ok()) return q.status();
  return out;
}

Result<Badge> ReadBadge(Connection& db, const AppId& app, const UserId& user) {
  Badge b;
  {
    auto q = db.Prepare("SELECT external_unread_count FROM badges WHERE app = ?1 AND user_id = ?2");
    q.Bind(1, app.str()).Bind(2, user.str());
    if (q.Next()) b.external_unread_count = q.Int(0);
    if (!q.ok()) return q.status();
  }
  auto q = db.Prepare(
      "SELECT COUNT(*), COALESCE(SUM(p.unread), 0) FROM participants p "
      "JOIN conversations c ON c.rowid = p.conv "
      "WHERE p.user_id = ?1 AND c.app = ?2 AND p.hidden = 0 AND p.unread > 0");
  q.Bind(1, user.str()).Bind(2, app.str());
  if (!q.Next()) return q.ok() ? Internal("count returned no row") : q.status();
  b.unread_conversation_count = q.Int(0);
  b.unread_message_count = q.Int(1);
  return b;
}

Result<std::optional<DedupEntry>> ReadDedup(Connection& db, const AppId& app,
                                            const std::string& key, TimeMs now) {
  auto q = db.Prepare(
      "SELECT status, body FROM platform_dedup WHERE app = ?1 AND key = ?2 AND expires_at > ?3");
  q.Bind(1, app.str()).Bind(2, key).Bind(3, now);
  if (q.Next()) {
    return std::optional<DedupEntry>(DedupEntry{static_cast<int>(q.Int(0)), q.Text(1)});
  }
  if (!q.ok()) return q.status();
  return std::optional<DedupEntry>();
}

}  // namespace relayer::sqlite
