#include "store/sqlite/reads.h"

#include <algorithm>
#include <limits>

#include "store/sqlite/codec.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {
namespace {

size_t PageSize(const Limits& limits, const Page& page) {
  size_t n = page.page_size == 0 ? limits.default_page_size : page.page_size;
  return std::min(n, limits.max_page_size);
}

// The conversation and the viewer's membership, or kNotFound when the viewer may not see it.
Result<std::pair<ConversationRow, ParticipantRow>> VisibleConversation(Connection& db,
                                                                       const AppId& app,
                                                                       const UserId& viewer,
                                                                       const ConversationId& id) {
  auto c = FindConversationRow(db, app, id);
  if (!c.ok()) return c.status();
  if (IsAppActor(viewer)) return std::make_pair(std::move(c).value(), ParticipantRow{});
  auto p = FindParticipant(db, c->rowid, viewer);
  if (!p.ok()) return p.status();
  if (!p->has_value() || (*p)->hidden) return NotFound("conversation not found");
  return std::make_pair(std::move(c).value(), **p);
}

}  // namespace

Result<Session> ReadSession(Connection& db, const SessionToken& token) {
  auto q = db.Prepare("SELECT app, user_id, created_at, expires_at FROM sessions WHERE token = ?1");
  q.Bind(1, token.str());
  if (!q.Next()) return q.ok() ? Result<Session>(NotFound("session not found")) : q.status();
  return Session{token, AppId(q.Text(0)), UserId(q.Text(1)), q.Int(2), q.Int(3)};
}

Result<Identity> ReadIdentity(Connection& db, const AppId& app, const UserId& user) {
  auto found = FindIdentity(db, app, user);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NotFound("identity not found");
  return std::move(**found);
}

Result<Conversation> ReadConversation(Connection& db, const AppId& app, const UserId& viewer,
                                      const ConversationId& id) {
  auto cp = VisibleConversation(db, app, viewer, id);
  if (!cp.ok()) return cp.status();
  return RenderConversation(db, cp->first, viewer, cp->second);
}

Result<ConversationList> ReadConversations(Connection& db, const Limits& limits, const AppId& app,
                                           const UserId& viewer, ConversationSort sort,
                                           const Page& page) {
  ConversationList out;
  {
    auto q = db.Prepare(
        "SELECT COUNT(*) FROM participants p JOIN conversations c ON c.rowid = p.conv "
        "WHERE p.user_id = ?1 AND c.app = ?2 AND p.hidden = 0");
    q.Bind(1, viewer.str()).Bind(2, app.str());
    if (!q.Next()) return q.ok() ? Internal("count returned no row") : q.status();
    out.total = q.Int(0);
  }
  // Keyset paging: (key, rowid) of the last item of the previous page, descending order.
  const bool by_last = sort == ConversationSort::kLastMessage;
  const char* key = by_last ? "COALESCE(c.last_sent_at, c.created_at)" : "c.created_at";
  int64_t after_key = std::numeric_limits<int64_t>::max();
  int64_t after_rowid = std::numeric_limits<int64_t>::max();
  if (page.from_id) {
    auto from = ParseConversationId(*page.from_id);
    if (!from) return out;  // not a conversation id: nothing comes after it
    auto q = db.Prepare(std::string("SELECT ") + key +
                        ", c.rowid FROM conversations c WHERE c.id = ?1 AND c.app = ?2");
    q.Bind(1, from->str()).Bind(2, app.str());
    if (!q.Next()) return q.ok() ? Result<ConversationList>(out) : q.status();
    after_key = q.Int(0);
    after_rowid = q.Int(1);
  }
  auto q = db.Prepare(
      std::string("SELECT c.rowid, c.id, c.app, c.created_at, c.distinct_key, c.metadata, "
                  "c.last_position, p.unread, p.hidden, p.hidden_before, p.read_upto "
                  "FROM participants p JOIN conversations c ON c.rowid = p.conv "
                  "WHERE p.user_id = ?1 AND c.app = ?2 AND p.hidden = 0 AND (") +
      key + ", c.rowid) < (?3, ?4) ORDER BY " + key + " DESC, c.rowid DESC LIMIT ?5");
  q.Bind(1, viewer.str()).Bind(2, app.str()).Bind(3, after_key).Bind(4, after_rowid);
  q.Bind(5, static_cast<int64_t>(PageSize(limits, page)));
  std::vector<std::pair<ConversationRow, ParticipantRow>> rows;
  while (q.Next()) {
    ConversationRow c{
        q.Int(0), ConversationId(q.Text(1)), AppId(q.Text(2)), q.Int(3), q.OptText(4), q.Text(5),
        q.Int(6)};
    ParticipantRow p{q.Int(7), q.Int(8) != 0, q.Int(9), q.Int(10)};
    rows.emplace_back(std::move(c), p);
  }
  if (!q.ok()) return q.status();
  for (const auto& [c, p] : rows) {
    auto conv = RenderConversation(db, c, viewer, p);
    if (!conv.ok()) return conv.status();
    out.items.push_back(std::move(conv).value());
  }
  return out;
}

Result<Message> ReadMessage(Connection& db, const AppId& app, const UserId& viewer,
                            const MessageId& id) {
  auto m = FindMessageRow(db, id);
  if (!m.ok()) return m.status();
  if (!m->has_value() || (*m)->app != app) return NotFound("message not found");
  if (IsAppActor(viewer)) return std::move((*m)->message);
  auto p = FindParticipant(db, (*m)->conv, viewer);
  if (!p.ok()) return p.status();
  if (!p->has_value()) return NotFound("message not found");
  auto visible = MessageVisible(db, **m, viewer, **p);
  if (!visible.ok()) return visible.status();
  if (!*visible) return NotFound("message not found");
  return std::move((*m)->message);
}

Result<MessageList> ReadMessages(Connection& db, const Limits& limits, const AppId& app,
                                 const UserId& viewer, const ConversationId& conversation,
                                 const Page& page) {
  auto cp = VisibleConversation(db, app, viewer, conversation);
  if (!cp.ok()) return cp.status();
  const auto& [c, p] = *cp;
  MessageList out;
  auto total = CountVisibleMessages(db, c.rowid, viewer, p);
  if (!total.ok()) return total.status();
  out.total = *total;
  int64_t below = std::numeric_limits<int64_t>::max();
  if (page.from_id) {
    auto from_id = ParseMessageId(*page.from_id);
    if (!from_id) return out;
    auto from = FindMessageRow(db, *from_id);
    if (!from.ok()) return from.status();
    if (!from->has_value() || (*from)->conv != c.rowid) return out;
    below = (*from)->message.position;
  }
  auto items = VisibleMessages(db, c.rowid, viewer, p, below, PageSize(limits, page));
  if (!items.ok()) return items.status();
  out.items = std::move(items).value();
  return out;
}

namespace {

// Where a viewer's changes are indexed: by recipient (change_recipients), or through one of its
// conversations (changes_by_conv, schema v11) up to `upto`, the last change before it left.
struct ChangeSource {
  int64_t conv = 0;  // 0: by recipient
  int64_t upto = std::numeric_limits<int64_t>::max();
};

Result<Change> ChangeAt(Query& q) {
  Change c;
  c.seq = q.Int(0);
  c.ts = q.Int(1);
  c.op = static_cast<ChangeOp>(q.Int(2));
  c.type = static_cast<ObjectType>(q.Int(3));
  c.object_id = q.Text(4);
  c.conversation_id = ConversationId(q.Text(5));
  auto recipients = DecodeUsers(q.Text(6));
  if (!recipients.ok()) return recipients.status();
  c.recipients = std::move(recipients).value();
  c.data_json = q.Text(7);
  return c;
}

// Appends to `out`, in commit order, up to `limit` of the viewer's changes in `source` from
// `from_seq` on that are stamped at or after `min_ts`.
Status ReadSource(Connection& db, const AppId& app, const UserId& viewer,
                  const ChangeSource& source, int64_t from_seq, TimeMs min_ts, size_t limit,
                  std::vector<Change>& out) {
  if (limit == 0) return Status::Ok();
  if (source.conv == 0) {
    auto q = db.Prepare(
        "SELECT c.seq, c.ts, c.op, c.type, c.object_id, c.conversation_id, c.recipients, c.data "
        "FROM change_recipients r CROSS JOIN changes c ON c.seq = r.seq "
        "WHERE r.app = ?1 AND r.user_id = ?2 AND r.seq >= ?3 AND c.ts >= ?4 ORDER BY r.seq "
        "LIMIT ?5");
    q.Bind(1, app.str()).Bind(2, viewer.str()).Bind(3, from_seq).Bind(4, min_ts);
    q.Bind(5, static_cast<int64_t>(limit));
    while (q.Next()) {
      auto c = ChangeAt(q);
      if (!c.ok()) return c.status();
      out.push_back(std::move(c).value());
    }
    return q.status();
  }
  // A conversation's member changes: the viewer's are those naming it (it may have joined later,
  // or been left out of one, as a blocker is).
  auto q = db.Prepare(
      "SELECT c.seq, c.ts, c.op, c.type, c.object_id, c.conversation_id, c.recipients, c.data "
      "FROM changes c WHERE c.conv = ?1 AND c.seq >= ?2 AND c.seq <= ?3 ORDER BY c.seq");
  q.Bind(1, source.conv).Bind(2, from_seq).Bind(3, source.upto);
  size_t kept = 0;
  while (kept < limit && q.Next()) {
    if (q.Int(1) < min_ts) continue;
    auto c = ChangeAt(q);
    if (!c.ok()) return c.status();
    if (std::find(c->recipients.begin(), c->recipients.end(), viewer) == c->recipients.end()) {
      continue;
    }
    out.push_back(std::move(c).value());
    ++kept;
  }
  return q.status();
}

// The viewer's conversations of `app`, and those it left after `from_seq`.
Result<std::vector<ChangeSource>> ChangeSources(Connection& db, const AppId& app,
                                                const UserId& viewer, int64_t from_seq) {
  std::vector<ChangeSource> sources{ChangeSource{}};
  auto member = db.Prepare(
      "SELECT p.conv FROM participants p CROSS JOIN conversations v ON v.rowid = p.conv "
      "WHERE p.user_id = ?1 AND v.app = ?2");
  member.Bind(1, viewer.str()).Bind(2, app.str());
  while (member.Next()) sources.push_back(ChangeSource{member.Int(0)});
  if (!member.ok()) return member.status();
  auto left = db.Prepare(
      "SELECT conv, left_seq FROM departed WHERE app = ?1 AND user_id = ?2 AND left_seq >= ?3");
  left.Bind(1, app.str()).Bind(2, viewer.str()).Bind(3, from_seq);
  while (left.Next()) sources.push_back(ChangeSource{left.Int(0), left.Int(1)});
  if (!left.ok()) return left.status();
  return sources;
}

}  // namespace

Result<std::vector<Change>> ReadChanges(Connection& db, const AppId& app, const UserId& viewer,
                                        int64_t after_seq, TimeMs from_ts, size_t limit) {
  // A viewer's changes are indexed by recipient or through its conversations (schema v11), and
  // read from each in commit order and merged. A timestamp becomes a starting point: the
  // viewer's first change stamped at or after it, and from there every change in commit order,
  // whatever its stamp. Timestamps are taken before a write queues, so a change can commit
  // after one stamped later (another node's, or one queued behind a batch); a client whose last
  // packet was that later one must still get it. The scan starts a generous while earlier: at
  // the app's mark of a minute before from_ts - kClockSlackMs (change_marks, schema v12; a
  // change committed before it was stamped in that minute or before, unless the stamps were
  // further apart than the slack), or at the beginning when there is none.
  constexpr TimeMs kClockSlackMs = 5 * 60 * 1000;
  constexpr TimeMs kAnyTime = std::numeric_limits<TimeMs>::min();
  int64_t first_seq = after_seq + 1;
  if (after_seq <= 0) {
    auto mark = db.Prepare(
        "SELECT seq FROM change_marks WHERE app = ?1 AND minute < ?2 ORDER BY minute DESC "
        "LIMIT 1");
    mark.Bind(1, app.str()).Bind(2, ChangeMarkMinute(from_ts - kClockSlackMs));
    first_seq = mark.Next() ? mark.Int(0) : 1;
    if (!mark.ok()) return mark.status();
  }
  RELAYER_ASSIGN_OR_RETURN(std::vector<ChangeSource> sources,
                           ChangeSources(db, app, viewer, first_seq));
  std::vector<Change> out;
  if (after_seq <= 0) {
    for (const ChangeSource& source : sources) {
      RELAYER_RETURN_IF_ERROR(ReadSource(db, app, viewer, source, first_seq, from_ts, 1, out));
    }
    if (out.empty()) return out;
    first_seq = std::min_element(out.begin(), out.end(), [](const Change& a, const Change& b) {
                  return a.seq < b.seq;
                })->seq;
    out.clear();
  }
  for (const ChangeSource& source : sources) {
    RELAYER_RETURN_IF_ERROR(ReadSource(db, app, viewer, source, first_seq, kAnyTime, limit, out));
  }
  std::sort(out.begin(), out.end(), [](const Change& a, const Change& b) { return a.seq < b.seq; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Change& a, const Change& b) { return a.seq == b.seq; }),
            out.end());
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace relayer::sqlite
