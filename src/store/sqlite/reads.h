// The Store's reads, run on one connection (inside a read transaction opened by the caller).
#pragma once

#include <vector>

#include "core/limits.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace relayer::sqlite {

Result<Session> ReadSession(Connection& db, const SessionToken& token);
Result<Identity> ReadIdentity(Connection& db, const AppId& app, const UserId& user);
Result<Conversation> ReadConversation(Connection& db, const AppId& app, const UserId& viewer,
                                      const ConversationId& id);
Result<ConversationList> ReadConversations(Connection& db, const Limits& limits, const AppId& app,
                                           const UserId& viewer, ConversationSort sort,
                                           const Page& page);
Result<Message> ReadMessage(Connection& db, const AppId& app, const UserId& viewer,
                            const MessageId& id);
Result<MessageList> ReadMessages(Connection& db, const Limits& limits, const AppId& app,
                                 const UserId& viewer, const ConversationId& conversation,
                                 const Page& page);
// reads_platform.cc
Result<Message> ReadAnnouncement(Connection& db, const AppId& app, const UserId& viewer,
                                 const MessageId& id);
Result<MessageList> ReadAnnouncements(Connection& db, const Limits& limits, const AppId& app,
                                      const UserId& viewer, const Page& page);
Result<std::vector<UserId>> ReadBlocks(Connection& db, const AppId& app, const UserId& owner);
Result<Badge> ReadBadge(Connection& db, const AppId& app, const UserId& user);
Result<std::optional<DedupEntry>> ReadDedup(Connection& db, const AppId& app,
                                            const std::string& key, TimeMs now);

Result<std::vector<Change>> ReadChanges(Connection& db, const AppId& app, const UserId& viewer,
                                        int64_t after_seq, TimeMs from_ts, size_t limit);
// Rich content (reads_content.cc).
Result<ContentInfo> ReadContent(Connection& db, const ContentId& id);
Result<bool> ReadMayReadContent(Connection& db, const AppId& app, const UserId& user,
                                const ContentId& id);
Result<std::vector<SyncLogEntry>> ReadSyncLog(Connection& db, const AppId& app,
                                              const SyncLogFilter& filter);
Result<std::vector<Conversation>> ReadAppConversations(Connection& db, const AppId& app,
                                                       const AppConversationFilter& filter);
Result<std::vector<Message>> ReadAppMessages(Connection& db, const AppId& app,
                                             const ConversationId& conversation, size_t limit);

}  // namespace relayer::sqlite
