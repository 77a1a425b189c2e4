// The domain objects: what Relayer stores and serves, independent of transport and database.
// Times are milliseconds since the Unix epoch (UTC).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"

namespace relayer {

using TimeMs = int64_t;

struct Identity {
  UserId user_id;
  std::string display_name;
  std::string avatar_url;
  std::string first_name;
  std::string last_name;
  std::string email_address;
  std::string phone_number;
  TimeMs updated_at = 0;
};

// Per-recipient state of one message; only ever moves forward (see core/receipts.h).
enum class ReceiptState : int { kSent = 0, kDelivered = 1, kRead = 2 };
enum class ReceiptType { kDelivery, kRead };

struct ContentRef {
  ContentId id;
  int64_t size = 0;
};

struct MessagePart {
  std::string mime_type;
  std::string body;      // inline body, as sent (base64 text when encoding == "base64")
  std::string encoding;  // "" or "base64"
  std::optional<ContentRef> content;
};

// Who sent a message: a user, or a named service (Platform API). For a user, `name` is the
// user's display name as the store last knew it; for a service it is the service's name.
struct Sender {
  std::optional<UserId> user_id;
  std::string name;
};

struct Message {
  MessageId id;
  ConversationId conversation_id;
  int64_t position = 0;  // 1-based, strictly increasing within a conversation
  Sender sender;
  TimeMs sent_at = 0;
  std::vector<MessagePart> parts;
  std::optional<boost::json::object> notification;
  // Every participant at send time (and those added later get no entry); the sender is kRead.
  std::map<UserId, ReceiptState> recipient_status;
};

struct Conversation {
  ConversationId id;
  TimeMs created_at = 0;
  std::vector<Identity> participants;  // basic identities, sorted by user id
  bool distinct = false;
  boost::json::object metadata;
  int64_t total_message_count = 0;
  int64_t last_position = 0;
  std::optional<Message> last_message;
  // As seen by the viewing user.
  int64_t unread_message_count = 0;
};

struct Session {
  SessionToken token;
  AppId app_id;
  UserId user_id;
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
};

enum class ChangeOp { kCreate, kUpdate, kDelete };
// Stored as integers in the change log: only ever append.
enum class ObjectType { kConversation, kMessage, kIdentity, kAnnouncement };

// One entry of the per-user change log ("events"): what the WebSocket pushes and Event.replay
// replays. `data` is the Layer-Patch array for an update and {mode, from_position} for a delete;
// a create names the object and is rendered from the store when sent.
struct Change {
  int64_t seq = 0;  // global commit order
  TimeMs ts = 0;
  ChangeOp op = ChangeOp::kCreate;
  ObjectType type = ObjectType::kConversation;
  std::string object_id;  // UUID (or user id for identities)
  ConversationId conversation_id;
  std::vector<UserId> recipients;
  std::string data_json;  // "" for create
  // Parallel to `recipients`: each recipient's own sequence number for this change, from a backend
  // that keeps one per user (PostgreSQL, for fan-out between nodes: docs/scaling.md). Empty when
  // the backend keeps none (SQLite, one node).
  std::vector<int64_t> user_seqs;
};

}  // namespace relayer
