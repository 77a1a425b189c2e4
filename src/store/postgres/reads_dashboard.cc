// The dashboard's app-wide reads on PostgreSQL: an app's conversations and messages as no
// particular user sees them (every participant, every message, every recipient's receipt state).
#include <limits>
#include <string>

#include "store/postgres/ops.h"
#include "store/postgres/reads.h"
#include "store/postgres/sql.h"

namespace relayer::pg {
namespace {

// Rendering as a viewer who is no participant and has hidden nothing: every message counts.
const UserId kNobody{""};

}  // namespace

Result<std::vector<Conversation>> ReadAppConversations(Connection& db, const AppId& app,
                                                       const AppConversationFilter& f) {
  std::vector<Conversation> out;
  if (f.limit == 0) return out;
  std::vector<Param> params = {P(app.str())};
  std::string sql = "SELECT c.id FROM conversations c WHERE c.app = $1";
  if (f.participant) {
    params.push_back(P(f.participant->str()));
    sql +=
        " AND EXISTS (SELECT 1 FROM participants p WHERE p.app = c.app AND p.conv = c.id AND "
        "p.user_id = $" +
        std::to_string(params.size()) + ")";
  }
  if (f.before) {
    // Keyset: strictly older in (created_at, id), the order of the list.
    auto before = ParseConversationId(f.before->str());
    if (!before) return out;
    RELAYER_ASSIGN_OR_RETURN(ConversationRow from, FindConversationRow(db, app, *before));
    params.push_back(P(from.created_at));
    const std::string ts = "$" + std::to_string(params.size());
    params.push_back(P(from.id.str()));
    const std::string id = "$" + std::to_string(params.size());
    sql += " AND (c.created_at, c.id) < (" + ts + "::bigint, " + id + "::uuid)";
  }
  params.push_back(P(static_cast<int64_t>(f.limit)));
  sql += " ORDER BY c.created_at DESC, c.id DESC LIMIT $" + std::to_string(params.size());
  RELAYER_ASSIGN_OR_RETURN(Rows ids, db.Query(sql, params));
  for (const Row& r : ids.rows) {
    RELAYER_ASSIGN_OR_RETURN(ConversationRow row,
                             FindConversationRow(db, app, ConversationId(Text(r[0]))));
    RELAYER_ASSIGN_OR_RETURN(Conversation c, RenderConversation(db, row, kNobody, {}));
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<Message>> ReadAppMessages(Connection& db, const AppId& app,
                                             const ConversationId& conversation, size_t limit) {
  RELAYER_ASSIGN_OR_RETURN(ConversationRow row, FindConversationRow(db, app, conversation));
  if (limit == 0) return std::vector<Message>();
  return VisibleMessages(db, app, row.id, kNobody, {}, std::numeric_limits<int64_t>::max(), limit);
}

}  // namespace relayer::pg
