// A message: a live handle on the client's copy of it, like the Web SDK's Message object.
// Handles are cheap to copy and compare equal when they name the same message; every getter is
// thread-safe and returns a snapshot (the state changes as receipts and events arrive; subscribe
// to Client::onMessagesChange to learn when). A default-constructed handle is null.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "relayer/message_part.h"
#include "relayer/types.h"

namespace relayer::sdk {

struct MessageRecord;  // the SDK's internal state of one message
class ClientImpl;

// Who sent a message: a user, or a Platform API named service (user_id empty, name set).
struct Sender {
  std::string user_id;
  std::string name;          // service name for a Platform named sender
  std::string display_name;  // as the server reported it
  bool isService() const { return user_id.empty(); }
};

class Message {
 public:
  Message() = default;
  explicit operator bool() const { return rec_ != nullptr; }
  bool operator==(const Message& o) const { return rec_ == o.rec_; }

  // Chosen by this client at createMessage() ("layer:///messages/UUID") and kept on every retry,
  // so that a retried send never duplicates.
  MessageId id() const;
  ConversationId conversationId() const;
  std::vector<MessagePart> parts() const;
  Sender sender() const;
  // Per-conversation order from the server; 0 until the server has the message.
  int64_t position() const;
  std::chrono::system_clock::time_point sentAt() const;  // epoch until sent
  // True once send() was called (the message is queued or sent), as the Web SDK's isSaved-ish.
  bool isQueued() const;
  // True once the server has acknowledged the message (it then has a position).
  bool isSent() const;

  // Every participant's state; the sender counts as kRead. Before the server acknowledged
  // the message, recipients are kPending.
  RecipientStatus recipientStatus() const;
  // NONE / SOME / ALL of the other participants have read (or received) it.
  RecipientSummary readStatus() const;
  RecipientSummary deliveryStatus() const;
  // Whether this client's user has read it (always true for the sender's own messages).
  bool isRead() const;

  // Sends a read receipt (once; no-op when already read). Thread-safe, never blocks.
  void markRead() const;
  // Queues the message for sending (once; later calls are ignored). Never blocks. `done` runs
  // on the SDK thread when the server has the message, or with an error the server gave that a
  // retry cannot fix (network failures are retried, with the same id, until Client destruction).
  void send(const Notification& notification = {}, StatusCallback done = {}) const;
  // Downloads the body of rich-content part `index` (no-op answer when it is loaded already)
  // and keeps it in the message; `done` gets the bytes on the SDK thread.
  void fetchPart(size_t index, Callback<std::string> done) const;

 private:
  friend class ClientImpl;
  explicit Message(std::shared_ptr<MessageRecord> rec) : rec_(std::move(rec)) {}
  std::shared_ptr<MessageRecord> rec_;
};

}  // namespace relayer::sdk
