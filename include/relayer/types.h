// Small value types shared by the SDK's headers: ids, receipt states, property values.
// Plain values; safe to copy between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "relayer/status.h"

namespace relayer::sdk {

// Ids are their own types so that a conversation id never silently becomes a message id.
// They hold Layer's full form ("layer:///conversations/UUID", "layer:///messages/UUID").
class ConversationId {
 public:
  ConversationId() = default;
  explicit ConversationId(std::string id) : id_(std::move(id)) {}
  const std::string& str() const { return id_; }
  bool empty() const { return id_.empty(); }
  auto operator<=>(const ConversationId&) const = default;

 private:
  std::string id_;
};

class MessageId {
 public:
  MessageId() = default;
  explicit MessageId(std::string id) : id_(std::move(id)) {}
  const std::string& str() const { return id_; }
  bool empty() const { return id_.empty(); }
  auto operator<=>(const MessageId&) const = default;

 private:
  std::string id_;
};

// One recipient's receipt state for a message, only ever moving forward.
// kPending: the message is still in this client's send queue (not yet on the server).
enum class ReceiptState { kPending, kSent, kDelivered, kRead };
const char* ToString(ReceiptState s);

// The Web SDK's RECIPIENT_STATE: how many recipients (other than the sender) reached a state.
enum class RecipientSummary { kNone, kSome, kAll };
const char* ToString(RecipientSummary s);

// Keyed by user id (the Web SDK keys by identity id, "layer:///identities/" + user id).
using RecipientStatus = std::map<std::string, ReceiptState>;

// Conversation metadata, flattened: nested objects use dotted keys ("a.b" -> "42"); Layer's
// metadata values are strings or nested objects of strings.
using Metadata = std::map<std::string, std::string>;

// Old and new values in change events. Which alternative a property uses is listed at the event.
using PropertyValue = std::variant<std::monostate, bool, int64_t, std::string,
                                   std::vector<std::string>, RecipientStatus, Metadata>;

enum class ConnectionState {
  kDisconnected,    // before connect(), after disconnect(), or authentication failed for good
  kAuthenticating,  // nonce -> identity token -> session
  kConnecting,      // opening the WebSocket (and replaying missed events)
  kConnected,       // the WebSocket is open; queued sends are flowing
  kOffline,         // the server is unreachable; retrying with backoff, sends stay queued
};
const char* ToString(ConnectionState s);

enum class TypingState { kStarted, kPaused, kFinished };

// The push notification of a send ({.text, .sound} as in the Web SDK's send({text, sound})).
struct Notification {
  std::string text = {};
  std::string sound = {};
  std::string title = {};
};

// Completion callbacks. They run on the SDK's thread (see client.h).
using StatusCallback = std::function<void(const Status&)>;
template <typename T>
using Callback = std::function<void(Result<T>)>;

}  // namespace relayer::sdk
