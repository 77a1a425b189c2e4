// The core reads on PostgreSQL: sessions, identities, conversations, messages, the change log.
#include "store/postgres/reads.h"

#include "store/postgres/ops.h"

namespace relayer::pg {

Result<Session> ReadSession(Connection&, const SessionToken&) { return NotImplemented(); }
Result<Identity> ReadIdentity(Connection&, const AppId&, const UserId&) { return NotImplemented(); }
Result<Conversation> ReadConversation(Connection&, const AppId&, const UserId&,
                                      const ConversationId&) {
  return NotImplemented();
}
Result<ConversationList> ReadConversations(Connection&, const Limits&, const AppId&, const UserId&,
                                           ConversationSort, const Page&) {
  return NotImplemented();
}
Result<Message> ReadMessage(Connection&, const AppId&, const UserId&, const MessageId&) {
  return NotImplemented();
}
Result<MessageList> ReadMessages(Connection&, const Limits&, const AppId&, const UserId&,
                                 const ConversationId&, const Page&) {
  return NotImplemented();
}
Result<std::vector<Change>> ReadChanges(Connection&, const AppId&, const UserId&, int64_t, TimeMs,
                                        size_t) {
  return NotImplemented();
}
Result<int64_t> ReadUserSeqHead(Connection&, const AppId&, const UserId&) {
  return NotImplemented();
}
Result<std::vector<UserChange>> ReadUserChangesAfter(Connection&, const AppId&, const UserId&,
                                                     int64_t, size_t) {
  return NotImplemented();
}
Result<std::vector<SyncLogEntry>> ReadSyncLog(Connection&, const AppId&, const SyncLogFilter&) {
  return NotImplemented();
}

}  // namespace relayer::pg
