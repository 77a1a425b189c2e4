// Reads for the developer dashboard: an app's conversations and messages as no particular user
// sees them (every participant, every message, every recipient's receipt state).
#include <limits>
#include <string>

#include "store/sqlite/reads.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {
namespace {

// Rendering as a viewer who is no participant and has hidden nothing: every message counts.
const UserId kNobody{""};

}  // namespace

Result<std::vector<Conversation>> ReadAppConversations(Connection& db, const AppId& app,
                                                       const AppConversationFilter& f) {
  std::vector<Conversation> out;
  if (f.limit == 0) return out;
  int64_t before_ts = std::numeric_limits<int64_t>::max();
  int64_t before_rowid = std::numeric_limits<int64_t>::max();
  if (f.before) {
    auto q = db.Prepare("SELECT created_at, rowid FROM conversations WHERE id = ?1 AND app = ?2");
    q.Bind(1, f.before->str()).Bind(2, app.str());
    if (!q.Next()) return q.ok() ? Result<std::vector<Conversation>>(out) : q.status();
    before_ts = q.Int(0);
    before_rowid = q.Int(1);
  }
  std::string sql = "SELECT c.id FROM conversations c WHERE c.app = ?1";
  if (f.participant) {
    sql += " AND EXISTS (SELECT 1 FROM participants p WHERE p.conv = c.rowid AND p.user_id = ?2)";
  }
  sql +=
      " AND (c.created_at < ?3 OR (c.created_at = ?3 AND c.rowid < ?4)) "
      "ORDER BY c.created_at DESC, c.rowid DESC LIMIT ?5";
  std::vector<ConversationId> ids;
  {
    auto q = db.Prepare(sql);
    q.Bind(1, app.str());
    if (f.participant) q.Bind(2, f.participant->str());
    q.Bind(3, before_ts).Bind(4, before_rowid).Bind(5, static_cast<int64_t>(f.limit));
    while (q.Next()) ids.emplace_back(q.Text(0));
    RELAYER_RETURN_IF_ERROR(q.status());
  }
  for (const ConversationId& id : ids) {
    RELAYER_ASSIGN_OR_RETURN(ConversationRow row, FindConversationRow(db, app, id));
    RELAYER_ASSIGN_OR_RETURN(Conversation c, RenderConversation(db, row, kNobody, {}));
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<Message>> ReadAppMessages(Connection& db, const AppId& app,
                                             const ConversationId& conversation, size_t limit) {
  RELAYER_ASSIGN_OR_RETURN(ConversationRow row, FindConversationRow(db, app, conversation));
  if (limit == 0) return std::vector<Message>();
  return VisibleMessages(db, row.rowid, kNobody, {}, std::numeric_limits<int64_t>::max(), limit);
}

}  // namespace relayer::sqlite
