// What Client::on*() handlers receive: the Web SDK's events messages:add, messages:change,
// conversations:add, conversations:change, typing-indicator-change, and connection state.
// Handlers run on the SDK thread, one at a time, in the order the changes happened.
#pragma once

#include <string>
#include <vector>

#include "relayer/conversation.h"
#include "relayer/message.h"
#include "relayer/types.h"

namespace relayer::sdk {

// One changed property, with its value before and after (the Web SDK's evt.changes entries).
// Properties and the PropertyValue alternative each uses:
//   Message:      "recipientStatus" (RecipientStatus), "isRead" (bool), "position" (int64_t),
//                 "parts" (std::monostate: a part was fetched; read message.parts())
//   Conversation: "participants" (std::vector<std::string>), "distinct" (bool),
//                 "metadata" (Metadata), "unreadCount" (int64_t), "lastMessage" (std::string
//                 message id), "id" (std::string: a distinct conversation was merged).
struct PropertyChange {
  std::string property;
  PropertyValue old_value;
  PropertyValue new_value;
};

struct ChangeList {
  std::vector<PropertyChange> changes;
  bool hasProperty(const std::string& property) const { return changeFor(property) != nullptr; }
  const PropertyChange* changeFor(const std::string& property) const {
    for (const auto& c : changes)
      if (c.property == property) return &c;
    return nullptr;
  }
};

// New messages: received, this user's own from another device, or sent here (announced when
// send() is called, before the server has them; Message::isSent() tells which).
struct MessagesAddEvent {
  std::vector<Message> messages;
};
struct MessagesChangeEvent : ChangeList {
  Message target;
};
// New conversations: created here (at once, before the server has them), by others (a create
// change), or fetched with Client::loadConversation. Query results raise no event.
struct ConversationsAddEvent {
  std::vector<Conversation> conversations;
};
struct ConversationsChangeEvent : ChangeList {
  Conversation target;
};
// Another participant's typing indicator.
struct TypingEvent {
  ConversationId conversation;
  std::string user_id;
  TypingState state = TypingState::kFinished;
};
struct ConnectionEvent {
  ConnectionState state = ConnectionState::kDisconnected;
  Status reason;  // why the connection dropped or failed (ok on a normal transition)
};

}  // namespace relayer::sdk
