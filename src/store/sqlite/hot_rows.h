// The rows a message write reads and only other kinds of write change, kept by the writer between
// writes: a conversation's row and participants, whether one of two participants blocks the
// other, a sender's display name, and whether an app's webhooks want an event type and whether
// it has any push token (which decide whether a write records a delivery event). A message send
// reads these seven times; with them held it writes without reading. And the rows of the messages
// it wrote, which their receipts read (a receipt keeps the row's recipient status up to date).
//
// The writer is the only writer of the database, so what it holds stays true for as long as no
// other kind of write runs. The rule, in one place (ApplyWrite): any write that is not a message
// create or a receipt empties the cache before it runs, and so do a failed write and a rolled back
// batch. A message create updates the conversation's newest position and puts its own row here once
// it has succeeded; a receipt updates the row's recipient status.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/model.h"
#include "store/sqlite/rows.h"

namespace relayer::sqlite {

class HotRows {
 public:
  struct Conversation {
    ConversationRow row;
    std::vector<UserId> participants;  // ordered by user id, as ParticipantIds returns them
    // For a conversation of two: the sender and the participant blocking them (nullopt when
    // none), one entry per sender once known.
    std::vector<std::pair<UserId, std::optional<UserId>>> blockers;
  };

  // Entries of each kind held before the cache starts again empty.
  static constexpr size_t kMaxEntries = 65536;

  // nullptr when not held, or held for another app.
  Conversation* FindConversation(const AppId& app, const ConversationId& id);
  Conversation& PutConversation(Conversation c);

  // The display name the identity has now; nullptr when not held.
  const std::string* FindName(const AppId& app, const UserId& user) const;
  void PutName(const AppId& app, const UserId& user, std::string name);

  // A message row as the store holds it (FindMessageRow); nullptr when not held.
  MessageRow* FindMessage(const MessageId& id);
  void PutMessage(MessageRow row);

  // Whether an active webhook of `app` subscribes to event `type`; nullptr when not held.
  const bool* FindWebhookWants(const AppId& app, std::string_view type) const;
  void PutWebhookWants(const AppId& app, std::string_view type, bool wants);
  // Whether `app` has a push token at all; nullptr when not held.
  const bool* FindHasPushTokens(const AppId& app) const;
  void PutHasPushTokens(const AppId& app, bool has);

  void Clear();

 private:
  std::unordered_map<std::string, Conversation> conversations_;  // by conversation id
  std::unordered_map<std::string, std::string> names_;           // by app and user id
  std::unordered_map<std::string, bool> flags_;                  // by kind, app and type
  std::unordered_map<std::string, MessageRow> messages_;         // by message id
};

}  // namespace relayer::sqlite
