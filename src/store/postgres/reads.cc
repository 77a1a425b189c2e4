// The core reads on PostgreSQL: sessions, identities, conversations, messages, the change log.
#include "store/postgres/reads.h"

#include <algorithm>
#include <limits>

#include "core/ids.h"
#include "store/postgres/ops.h"
#include "store/postgres/rows.h"
#include "store/postgres/sql.h"
#include "store/sqlite/codec.h"

namespace relayer::pg {
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
  RELAYER_ASSIGN_OR_RETURN(ConversationRow c, FindConversationRow(db, app, id));
  if (IsAppActor(viewer)) return std::make_pair(std::move(c), ParticipantRow{});
  RELAYER_ASSIGN_OR_RETURN(auto p, FindParticipant(db, app, id, viewer));
  if (!p || p->hidden) return NotFound("conversation not found");
  return std::make_pair(std::move(c), *p);
}

Result<std::vector<Change>> ChangesFromRows(const Rows& rows, std::vector<int64_t>* user_seqs) {
  std::vector<Change> out;
  out.reserve(rows.rows.size());
  for (const Row& r : rows.rows) {
    Change c;
    c.seq = Int(r[0]);
    c.ts = Int(r[1]);
    c.op = static_cast<ChangeOp>(Int(r[2]));
    c.type = static_cast<ObjectType>(Int(r[3]));
    c.object_id = Text(r[4]);
    c.conversation_id = ConversationId(Text(r[5]));
    RELAYER_ASSIGN_OR_RETURN(c.recipients, sqlite::DecodeUsers(Text(r[6])));
    c.data_json = Text(r[7]);
    if (user_seqs) user_seqs->push_back(Int(r[8]));
    out.push_back(std::move(c));
  }
  return out;
}

constexpr const char* kChangeColumns =
    "SELECT c.seq, c.ts, c.op, c.type, c.object_id, c.conversation_id, c.recipients, c.data, "
    "u.user_seq FROM user_changes u JOIN changes c ON c.seq = u.change ";

}  // namespace

Result<Session> ReadSession(Connection& db, const SessionToken& token) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      db.Query("SELECT app, user_id, created_at, expires_at FROM sessions WHERE token = $1",
               {token.str()}));
  if (rows.rows.empty()) return NotFound("session not found");
  const Row& r = rows.rows[0];
  return Session{token, AppId(Text(r[0])), UserId(Text(r[1])), Int(r[2]), Int(r[3])};
}

Result<Identity> ReadIdentity(Connection& db, const AppId& app, const UserId& user) {
  RELAYER_ASSIGN_OR_RETURN(auto found, FindIdentity(db, app, user));
  if (!found) return NotFound("identity not found");
  return std::move(*found);
}

Result<Conversation> ReadConversation(Connection& db, const AppId& app, const UserId& viewer,
                                      const ConversationId& id) {
  RELAYER_ASSIGN_OR_RETURN(auto cp, VisibleConversation(db, app, viewer, id));
  return RenderConversation(db, cp.first, viewer, cp.second);
}

Result<ConversationList> ReadConversations(Connection& db, const Limits& limits, const AppId& app,
                                           const UserId& viewer, ConversationSort sort,
                                           const Page& page) {
  ConversationList out;
  {
    RELAYER_ASSIGN_OR_RETURN(Rows rows, db.Query("SELECT count(*) FROM participants WHERE app = "
                                                 "$1 AND user_id = $2 AND NOT hidden",
                                                 {app.str(), viewer.str()}));
    out.total = rows.rows.empty() ? 0 : Int(rows.rows[0][0]);
  }
  // Keyset paging: (key, id) of the last item of the previous page, descending order.
  const bool by_last = sort == ConversationSort::kLastMessage;
  const std::string key = by_last ? "COALESCE(c.last_sent_at, c.created_at)" : "c.created_at";
  std::string after = "";
  std::vector<Param> params{app.str(), viewer.str()};
  if (page.from_id) {
    auto from = ParseConversationId(*page.from_id);
    if (!from) return out;  // not a conversation id: nothing comes after it
    RELAYER_ASSIGN_OR_RETURN(
        Rows rows,
        db.Query("SELECT " + key + " FROM conversations c WHERE c.app = $1 AND c.id = $2",
                 {app.str(), from->str()}));
    if (rows.rows.empty()) return out;
    params.push_back(Text(rows.rows[0][0]));
    params.push_back(from->str());
    after = " AND (" + key + ", c.id) < ($3::bigint, $4::uuid)";
  }
  params.push_back(P(static_cast<int64_t>(PageSize(limits, page))));
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      db.Query("SELECT c.id, c.app, c.created_at, d.conv IS NOT NULL, c.metadata, "
               "c.last_position, c.message_count, p.unread, p.hidden, p.hidden_before, "
               "p.hidden_below, p.read_upto FROM participants p JOIN conversations c "
               "ON c.app = p.app AND c.id = p.conv LEFT JOIN distinct_conversations d "
               "ON d.app = c.app AND d.conv = c.id WHERE p.app = $1 AND p.user_id = $2 AND "
               "NOT p.hidden" +
                   after + " ORDER BY " + key + " DESC, c.id DESC LIMIT $" +
                   std::to_string(params.size()),
               params));
  for (const Row& r : rows.rows) {
    ConversationRow c{ConversationId(Text(r[0])),
                      AppId(Text(r[1])),
                      Int(r[2]),
                      Bool(r[3]),
                      Text(r[4]),
                      Int(r[5]),
                      Int(r[6])};
    ParticipantRow p{Int(r[7]), Bool(r[8]), Int(r[9]), Int(r[10]), Int(r[11])};
    RELAYER_ASSIGN_OR_RETURN(Conversation conv, RenderConversation(db, c, viewer, p));
    out.items.push_back(std::move(conv));
  }
  return out;
}

Result<Message> ReadMessage(Connection& db, const AppId& app, const UserId& viewer,
                            const MessageId& id) {
  RELAYER_ASSIGN_OR_RETURN(auto m, FindMessageRow(db, app, id));
  if (!m) return NotFound("message not found");
  if (IsAppActor(viewer)) return std::move(m->message);
  RELAYER_ASSIGN_OR_RETURN(auto p, FindParticipant(db, app, m->message.conversation_id, viewer));
  if (!p) return NotFound("message not found");
  RELAYER_ASSIGN_OR_RETURN(bool visible, MessageVisible(db, *m, viewer, *p));
  if (!visible) return NotFound("message not found");
  return std::move(m->message);
}

Result<MessageList> ReadMessages(Connection& db, const Limits& limits, const AppId& app,
                                 const UserId& viewer, const ConversationId& conversation,
                                 const Page& page) {
  RELAYER_ASSIGN_OR_RETURN(auto cp, VisibleConversation(db, app, viewer, conversation));
  const auto& [c, p] = cp;
  MessageList out;
  RELAYER_ASSIGN_OR_RETURN(out.total, CountVisibleMessages(db, app, c.id, viewer, p));
  int64_t below = std::numeric_limits<int64_t>::max();
  if (page.from_id) {
    auto from_id = ParseMessageId(*page.from_id);
    if (!from_id) return out;
    RELAYER_ASSIGN_OR_RETURN(auto from, FindMessageRow(db, app, *from_id));
    if (!from || from->message.conversation_id != c.id) return out;
    below = from->message.position;
  }
  RELAYER_ASSIGN_OR_RETURN(
      out.items, VisibleMessages(db, app, c.id, viewer, p, below, PageSize(limits, page)));
  return out;
}

Result<std::vector<Change>> ReadChanges(Connection& db, const AppId& app, const UserId& viewer,
                                        int64_t after_seq, TimeMs from_ts, size_t limit) {
  // Per user, seq order is user_seq order (EmitChange draws the seq under the user's head lock),
  // so "seq > N" is a range of user_changes_by_user_change read in user_seq order. A timestamp
  // becomes a starting point: the viewer's first change stamped at or after it, and from there
  // every change in user_seq order, whatever its stamp. Stamps are taken before a write queues,
  // on whichever node took the request, so a change can commit after one stamped later; a client
  // whose last packet was that later one (its node then died) must still get it. The first seq is
  // looked up a generous while earlier through changes_by_ts (as SQLite does).
  constexpr TimeMs kClockSlackMs = 5 * 60 * 1000;
  int64_t first_seq = after_seq + 1;
  if (after_seq <= 0) {
    RELAYER_ASSIGN_OR_RETURN(Rows first,
                             db.Query("SELECT seq FROM changes WHERE app = $1 AND ts >= $2 "
                                      "ORDER BY ts LIMIT 1",
                                      {app.str(), P(from_ts - kClockSlackMs)}));
    if (first.rows.empty()) return std::vector<Change>{};
    first_seq = Int(first.rows[0][0]);
    RELAYER_ASSIGN_OR_RETURN(
        Rows start,
        db.Query("SELECT u.change FROM user_changes u JOIN changes c ON c.seq = u.change "
                 "WHERE u.app = $1 AND u.user_id = $2 AND u.change >= $3 AND c.ts >= $4 "
                 "ORDER BY u.user_seq LIMIT 1",
                 {app.str(), viewer.str(), P(first_seq), P(from_ts)}));
    if (start.rows.empty()) return std::vector<Change>{};
    first_seq = Int(start.rows[0][0]);
  }
  std::string sql = std::string(kChangeColumns) +
                    "WHERE u.app = $1 AND u.user_id = $2 AND u.change >= $3 "
                    "ORDER BY u.user_seq LIMIT $4";
  RELAYER_ASSIGN_OR_RETURN(Rows rows, db.Query(sql, {app.str(), viewer.str(), P(first_seq),
                                                     P(static_cast<int64_t>(limit))}));
  return ChangesFromRows(rows, nullptr);
}

Result<int64_t> ReadUserSeqHead(Connection& db, const AppId& app, const UserId& user) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows, db.Query("SELECT last_seq FROM user_change_heads WHERE app = $1 AND user_id = $2",
                          {app.str(), user.str()}));
  return rows.rows.empty() ? 0 : Int(rows.rows[0][0]);
}

Result<std::vector<UserChange>> ReadUserChangesAfter(Connection& db, const AppId& app,
                                                     const UserId& user, int64_t after_user_seq,
                                                     size_t limit) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows,
      db.Query(std::string(kChangeColumns) +
                   "WHERE u.app = $1 AND u.user_id = $2 AND u.user_seq > $3 "
                   "ORDER BY u.user_seq LIMIT $4",
               {app.str(), user.str(), P(after_user_seq), P(static_cast<int64_t>(limit))}));
  std::vector<int64_t> seqs;
  RELAYER_ASSIGN_OR_RETURN(std::vector<Change> changes, ChangesFromRows(rows, &seqs));
  std::vector<UserChange> out;
  out.reserve(changes.size());
  for (size_t i = 0; i < changes.size(); ++i) {
    out.push_back(UserChange{seqs[i], std::move(changes[i])});
  }
  return out;
}

}  // namespace relayer::pg
