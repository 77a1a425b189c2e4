// A conversation: a live handle on the client's copy of it, like the Web SDK's Conversation.
// Handles are cheap to copy and compare equal when they name the same conversation; getters are
// thread-safe snapshots; methods never block (their work runs on the SDK thread). Null when
// default-constructed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "relayer/message.h"
#include "relayer/types.h"

namespace relayer::sdk {

struct ConversationRecord;  // the SDK's internal state of one conversation
class ClientImpl;

// Client::createConversation's argument, as the Web SDK's createConversation({...}).
struct ConversationOptions {
  std::vector<std::string> participants = {};  // user ids; the creator is added by the server
  bool distinct = true;  // one conversation per exact participant set (Layer's default)
  Metadata metadata = {};
};

class Conversation {
 public:
  Conversation() = default;
  explicit operator bool() const { return rec_ != nullptr; }
  bool operator==(const Conversation& o) const { return rec_ == o.rec_; }

  // Chosen by this client at creation. For a distinct conversation that already existed on the
  // server, the id changes to the existing one when the server answers (a conversations:change
  // event with property "id" says so; messages queued meanwhile follow it).
  ConversationId id() const;
  std::vector<std::string> participants() const;  // user ids, the client's user included
  bool isDistinct() const;
  Metadata metadata() const;
  int64_t unreadCount() const;
  int64_t totalMessageCount() const;
  Message lastMessage() const;  // null when none is known
  // True once the server has the conversation.
  bool isSynced() const;

  // A new message in this conversation, not yet sent: call Message::send().
  Message createMessage(std::string text) const;  // one text/plain part
  Message createMessage(std::vector<MessagePart> parts) const;

  // Layer-Patch of participants (any participant may; a change clears `distinct`).
  void addParticipants(const std::vector<std::string>& user_ids, StatusCallback done = {}) const;
  void removeParticipants(const std::vector<std::string>& user_ids, StatusCallback done = {}) const;
  // Sets one metadata key (dotted for nesting).
  void setMetadata(const std::string& key, const std::string& value,
                   StatusCallback done = {}) const;
  // Typing indicator for the other participants (kStarted, kPaused, kFinished).
  void sendTyping(TypingState state) const;

 private:
  friend class ClientImpl;
  explicit Conversation(std::shared_ptr<ConversationRecord> rec) : rec_(std::move(rec)) {}
  std::shared_ptr<ConversationRecord> rec_;
};

}  // namespace relayer::sdk
