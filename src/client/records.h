// The SDK's shared state of one conversation or message, behind the public handles.
// Written only on the SDK thread; read from any thread; each record has its own mutex.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "relayer/message.h"
#include "relayer/types.h"

namespace relayer::sdk {

class ClientImpl;

struct MessageRecord {
  mutable std::mutex mu;
  std::weak_ptr<ClientImpl> client;
  std::string own_user;  // the client's user, for isRead()
  MessageId id;
  ConversationId conversation;
  std::vector<MessagePart> parts;
  Sender sender;
  int64_t position = 0;
  std::chrono::system_clock::time_point sent_at{};
  bool queued = false;  // send() was called (or it came from the server)
  bool sent = false;    // the server has it
  bool read_receipt_queued = false;
  bool delivery_receipt_queued = false;
  RecipientStatus status;
};

struct ConversationRecord {
  mutable std::mutex mu;
  std::weak_ptr<ClientImpl> client;
  ConversationId id;
  std::vector<std::string> participants;
  bool distinct = true;
  Metadata metadata;
  int64_t unread = 0;
  int64_t total = 0;
  MessageId last_message;
  bool synced = false;
};

}  // namespace relayer::sdk
