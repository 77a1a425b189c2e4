// The dashboard's app-wide reads on PostgreSQL.
#include "store/postgres/ops.h"
#include "store/postgres/reads.h"

namespace relayer::pg {

Result<std::vector<Conversation>> ReadAppConversations(Connection&, const AppId&,
                                                       const AppConversationFilter&) {
  return NotImplemented();
}
Result<std::vector<Message>> ReadAppMessages(Connection&, const AppId&, const ConversationId&,
                                             size_t) {
  return NotImplemented();
}

}  // namespace relayer::pg
