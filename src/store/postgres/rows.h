// Row-level lookups shared by PgStore's reads and write operations. All take the connection they
// run on: a reader's own connection (in its read transaction), or the writer's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "store/postgres/connection.h"

namespace relayer::pg {

struct ConversationRow {
  ConversationId id;
  AppId app;
  TimeMs created_at = 0;
  bool distinct = false;  // holds a claim in distinct_conversations
  std::string metadata_json;
  int64_t last_position = 0;
  int64_t message_count = 0;
};

// One user's membership of a conversation.
struct ParticipantRow {
  int64_t unread = 0;
  bool hidden = false;
  int64_t hidden_before = 0;
  int64_t hidden_below = 0;
  int64_t read_upto = 0;
};

struct MessageRow {
  AppId app;
  Message message;  // message.conversation_id and message.position locate the row
};

// kNotFound when absent (or in another app). `lock`: SELECT ... FOR UPDATE.
Result<ConversationRow> FindConversationRow(Connection& db, const AppId& app,
                                            const ConversationId& id, bool lock = false);
Result<std::optional<ParticipantRow>> FindParticipant(Connection& db, const AppId& app,
                                                      const ConversationId& conv,
                                                      const UserId& user);
// Sorted by user id.
Result<std::vector<UserId>> ParticipantIds(Connection& db, const AppId& app,
                                           const ConversationId& conv);

// The stored identity, or one holding only the user id when the user has no profile yet.
Result<Identity> IdentityOrBare(Connection& db, const AppId& app, const UserId& user);
Result<std::optional<Identity>> FindIdentity(Connection& db, const AppId& app, const UserId& user);

// By id within the app (message_ids); nullopt when absent. `lock`: the message row FOR UPDATE.
Result<std::optional<MessageRow>> FindMessageRow(Connection& db, const AppId& app,
                                                 const MessageId& id, bool lock = false);

// The columns MessageFromRow reads, "FROM messages m " included (callers add JOINs and WHERE).
extern const char* const kMessageColumns;
Result<MessageRow> MessageFromRow(const Row& row);

// Whether a message is visible to a participant (not hidden for their devices).
Result<bool> MessageVisible(Connection& db, const MessageRow& m, const UserId& viewer,
                            const ParticipantRow& p);

// The conversation as `viewer` (a participant with row `p`, or AppActor()) sees it.
Result<Conversation> RenderConversation(Connection& db, const ConversationRow& c,
                                        const UserId& viewer, const ParticipantRow& p);

// Newest visible messages of a conversation for a viewer, positions below `below` (exclusive).
Result<std::vector<Message>> VisibleMessages(Connection& db, const AppId& app,
                                             const ConversationId& conv, const UserId& viewer,
                                             const ParticipantRow& p, int64_t below, size_t limit);
Result<int64_t> CountVisibleMessages(Connection& db, const AppId& app, const ConversationId& conv,
                                     const UserId& viewer, const ParticipantRow& p);

}  // namespace relayer::pg
