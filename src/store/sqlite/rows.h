// Row-level lookups shared by the reads and the write operations. All take the connection they
// run on: a reader's own connection, or the writer's inside its transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "store/sqlite/db.h"

namespace relayer::sqlite {

struct ConversationRow {
  int64_t rowid = 0;
  ConversationId id;
  AppId app;
  TimeMs created_at = 0;
  std::optional<std::string> distinct_key;
  std::string metadata_json;
  int64_t last_position = 0;
};

// One user's membership of a conversation.
struct ParticipantRow {
  int64_t unread = 0;
  bool hidden = false;
  int64_t hidden_before = 0;
  int64_t read_upto = 0;
};

struct MessageRow {
  int64_t rowid = 0;
  int64_t conv = 0;
  AppId app;
  Message message;
};

// kNotFound when absent or in another app.
Result<ConversationRow> FindConversationRow(Connection& db, const AppId& app,
                                            const ConversationId& id);
// Looks up by id in any app (ids are unique across apps); nullopt when absent.
Result<std::optional<ConversationRow>> FindConversationAnyApp(Connection& db,
                                                              const ConversationId& id);
Result<std::optional<ParticipantRow>> FindParticipant(Connection& db, int64_t conv,
                                                      const UserId& user);
// Sorted by user id.
Result<std::vector<UserId>> ParticipantIds(Connection& db, int64_t conv);

// The stored identity, or one holding only the user id when the user has no profile yet.
Result<Identity> IdentityOrBare(Connection& db, const AppId& app, const UserId& user);
Result<std::optional<Identity>> FindIdentity(Connection& db, const AppId& app, const UserId& user);

// Looks up by id in any app; nullopt when absent.
Result<std::optional<MessageRow>> FindMessageRow(Connection& db, const MessageId& id);

// An announcement (a Message without conversation; its id is the announcement's UUID).
struct AnnouncementRow {
  int64_t rowid = 0;
  AppId app;
  Message message;
};
// Looks up by id in any app; nullopt when absent.
Result<std::optional<AnnouncementRow>> FindAnnouncementRow(Connection& db, const MessageId& id);
// Whether `user` is a recipient of announcement `rowid` (and has not hidden it).
Result<bool> IsAnnouncementRecipient(Connection& db, const AppId& app, const UserId& user,
                                     int64_t rowid);
// The announcements of `user`, newest first, rowids below `below`.
Result<std::vector<Message>> UserAnnouncements(Connection& db, const AppId& app, const UserId& user,
                                               int64_t below, size_t limit);

// Whether a message is visible to a participant (not hidden for their devices).
Result<bool> MessageVisible(Connection& db, const MessageRow& m, const UserId& viewer,
                            const ParticipantRow& p);

// The conversation as `viewer` (a participant with row `p`) sees it.
Result<Conversation> RenderConversation(Connection& db, const ConversationRow& c,
                                        const UserId& viewer, const ParticipantRow& p);

// Newest visible messages of a conversation for a viewer, positions below `below` (exclusive).
Result<std::vector<Message>> VisibleMessages(Connection& db, int64_t conv, const UserId& viewer,
                                             const ParticipantRow& p, int64_t below, size_t limit);
Result<int64_t> CountVisibleMessages(Connection& db, int64_t conv, const UserId& viewer,
                                     const ParticipantRow& p);

}  // namespace relayer::sqlite
