// PgStore's reads, run on one pooled connection inside a read transaction opened by the caller
// (pg_store.cc). One file per family:
//   reads.cc            sessions, identities, conversations, messages, the change log
//   sync_log.cc         the sync log
//   reads_delivery.cc   push tokens, webhooks, delivery events and the outbox
//   reads_content.cc    rich content
//   reads_platform.cc   announcements, blocks, badges, If-None-Match answers
//   reads_dashboard.cc  the dashboard's app-wide conversation and message lists
// Not implemented yet: Status(kInvalidOperation, "not implemented on PostgreSQL yet").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/limits.h"
#include "store/postgres/connection.h"
#include "store/store.h"

namespace relayer::pg {

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
Result<std::vector<Change>> ReadChanges(Connection& db, const AppId& app, const UserId& viewer,
                                        int64_t after_seq, TimeMs from_ts, size_t limit);
Result<int64_t> ReadUserSeqHead(Connection& db, const AppId& app, const UserId& user);
Result<std::vector<UserChange>> ReadUserChangesAfter(Connection& db, const AppId& app,
                                                     const UserId& user, int64_t after_user_seq,
                                                     size_t limit);
// sync_log.cc
Result<std::vector<SyncLogEntry>> ReadSyncLog(Connection& db, const AppId& app,
                                              const SyncLogFilter& filter);
// reads_platform.cc
Result<Message> ReadAnnouncement(Connection& db, const AppId& app, const UserId& viewer,
                                 const MessageId& id);
Result<MessageList> ReadAnnouncements(Connection& db, const Limits& limits, const AppId& app,
                                      const UserId& viewer, const Page& page);
Result<std::vector<UserId>> ReadBlocks(Connection& db, const AppId& app, const UserId& owner);
Result<Badge> ReadBadge(Connection& db, const AppId& app, const UserId& user);
Result<std::optional<DedupEntry>> ReadDedup(Connection& db, const AppId& app,
                                            const std::string& key, TimeMs now);
// reads_delivery.cc
Result<std::vector<PushToken>> ReadPushTokens(Connection& db, const AppId& app,
                                              const std::vector<UserId>& users);
Result<std::vector<Webhook>> ReadWebhooks(Connection& db, const AppId& app);
Result<Webhook> ReadWebhook(Connection& db, const AppId& app, const std::string& id);
Result<std::vector<DeliveryEvent>> ReadPendingEvents(Connection& db, size_t limit);
Result<std::vector<std::string>> ReadDeliveryQueues(Connection& db);
Result<std::optional<Delivery>> ReadNextDelivery(Connection& db, const std::string& queue);
// reads_content.cc
Result<ContentInfo> ReadContent(Connection& db, const ContentId& id);
Result<bool> ReadMayReadContent(Connection& db, const AppId& app, const UserId& user,
                                const ContentId& id);
// reads_dashboard.cc
Result<std::vector<Conversation>> ReadAppConversations(Connection& db, const AppId& app,
                                                       const AppConversationFilter& filter);
Result<std::vector<Message>> ReadAppMessages(Connection& db, const AppId& app,
                                             const ConversationId& conversation, size_t limit);

}  // namespace relayer::pg
