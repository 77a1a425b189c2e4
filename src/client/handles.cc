// The public handles (Message, Conversation) and Client: thin forwards to the records and to
// ClientImpl. Getters lock the record; operations go to the SDK thread.
#include <boost/json.hpp>

#include "client/client_impl.h"
#include "client/codec.h"
#include "relayer/client.h"

namespace relayer::sdk {

namespace json = boost::json;

// ---- Message ----

MessageId Message::id() const {
  std::lock_guard lock(rec_->mu);
  return rec_->id;
}
ConversationId Message::conversationId() const {
  std::lock_guard lock(rec_->mu);
  return rec_->conversation;
}
std::vector<MessagePart> Message::parts() const {
  std::lock_guard lock(rec_->mu);
  return rec_->parts;
}
Sender Message::sender() const {
  std::lock_guard lock(rec_->mu);
  return rec_->sender;
}
int64_t Message::position() const {
  std::lock_guard lock(rec_->mu);
  return rec_->position;
}
std::chrono::system_clock::time_point Message::sentAt() const {
  std::lock_guard lock(rec_->mu);
  return rec_->sent_at;
}
bool Message::isQueued() const {
  std::lock_guard lock(rec_->mu);
  return rec_->queued;
}
bool Message::isSent() const {
  std::lock_guard lock(rec_->mu);
  return rec_->sent;
}
RecipientStatus Message::recipientStatus() const {
  std::lock_guard lock(rec_->mu);
  return rec_->status;
}

namespace {
RecipientSummary Summarize(const MessageRecord& rec, ReceiptState at_least) {
  size_t others = 0, reached = 0;
  for (const auto& [user, state] : rec.status) {
    if (user == rec.sender.user_id) continue;
    ++others;
    if (state >= at_least) ++reached;
  }
  if (reached == 0) return RecipientSummary::kNone;
  return reached == others ? RecipientSummary::kAll : RecipientSummary::kSome;
}
}  // namespace

RecipientSummary Message::readStatus() const {
  std::lock_guard lock(rec_->mu);
  return Summarize(*rec_, ReceiptState::kRead);
}
RecipientSummary Message::deliveryStatus() const {
  std::lock_guard lock(rec_->mu);
  return Summarize(*rec_, ReceiptState::kDelivered);
}
bool Message::isRead() const {
  std::lock_guard lock(rec_->mu);
  if (rec_->sender.user_id == rec_->own_user) return true;
  auto it = rec_->status.find(rec_->own_user);
  return it != rec_->status.end() && it->second == ReceiptState::kRead;
}

void Message::markRead() const {
  if (auto c = rec_->client.lock()) c->MarkRead(rec_);
}
void Message::send(const Notification& notification, StatusCallback done) const {
  auto c = rec_->client.lock();
  if (!c) {
    if (done) done(Status(StatusCode::kCancelled, "the client is gone"));
    return;
  }
  c->SendMessage(rec_, notification, std::move(done));
}
void Message::fetchPart(size_t index, Callback<std::string> done) const {
  auto c = rec_->client.lock();
  if (!c) {
    if (done) done(Status(StatusCode::kCancelled, "the client is gone"));
    return;
  }
  c->FetchPart(rec_, index, std::move(done));
}

// ---- Conversation ----

ConversationId Conversation::id() const {
  std::lock_guard lock(rec_->mu);
  return rec_->id;
}
std::vector<std::string> Conversation::participants() const {
  std::lock_guard lock(rec_->mu);
  return rec_->participants;
}
bool Conversation::isDistinct() const {
  std::lock_guard lock(rec_->mu);
  return rec_->distinct;
}
Metadata Conversation::metadata() const {
  std::lock_guard lock(rec_->mu);
  return rec_->metadata;
}
int64_t Conversation::unreadCount() const {
  std::lock_guard lock(rec_->mu);
  return rec_->unread;
}
int64_t Conversation::totalMessageCount() const {
  std::lock_guard lock(rec_->mu);
  return rec_->total;
}
bool Conversation::isSynced() const {
  std::lock_guard lock(rec_->mu);
  return rec_->synced;
}
Message Conversation::lastMessage() const {
  MessageId id;
  {
    std::lock_guard lock(rec_->mu);
    id = rec_->last_message;
  }
  auto c = rec_->client.lock();
  return c && !id.empty() ? c->FindMessage(id.str()) : Message();
}

Message Conversation::createMessage(std::string text) const {
  return createMessage(std::vector<MessagePart>{MessagePart::Text(std::move(text))});
}
Message Conversation::createMessage(std::vector<MessagePart> parts) const {
  auto c = rec_->client.lock();
  if (!c) return Message();
  return c->NewMessage(rec_, std::move(parts));
}

namespace {
json::array ParticipantOps(const char* operation, const std::vector<std::string>& users) {
  json::array ops;
  for (const auto& u : users)
    ops.push_back(json::object{
        {"operation", operation}, {"property", "participants"}, {"id", Codec::IdentityOfUser(u)}});
  return ops;
}
void Patch(const std::shared_ptr<ConversationRecord>& rec, json::array ops, StatusCallback done) {
  auto c = rec->client.lock();
  if (!c) {
    if (done) done(Status(StatusCode::kCancelled, "the client is gone"));
    return;
  }
  c->PatchConversation(rec, std::move(ops), std::move(done));
}
}  // namespace

void Conversation::addParticipants(const std::vector<std::string>& user_ids,
                                   StatusCallback done) const {
  Patch(rec_, ParticipantOps("add", user_ids), std::move(done));
}
void Conversation::removeParticipants(const std::vector<std::string>& user_ids,
                                      StatusCallback done) const {
  Patch(rec_, ParticipantOps("remove", user_ids), std::move(done));
}
void Conversation::setMetadata(const std::string& key, const std::string& value,
                               StatusCallback done) const {
  json::array ops;
  ops.push_back(
      json::object{{"operation", "set"}, {"property", "metadata." + key}, {"value", value}});
  Patch(rec_, std::move(ops), std::move(done));
}
void Conversation::sendTyping(TypingState state) const {
  if (auto c = rec_->client.lock()) c->SendTyping(rec_, state);
}

// ---- Client ----

Client::Client(ClientOptions options) : impl_(std::make_shared<ClientImpl>(std::move(options))) {
  impl_->Start();
}
Client::~Client() { impl_->Shutdown(); }
void Client::connect(const std::string& user_id, StatusCallback done) {
  impl_->Connect(user_id, std::move(done));
}
void Client::disconnect() { impl_->Disconnect(); }
ConnectionState Client::connectionState() const { return impl_->state(); }
std::string Client::userId() const { return impl_->user(); }
Conversation Client::createConversation(const ConversationOptions& options, StatusCallback done) {
  return impl_->CreateConversation(options, std::move(done));
}
Conversation Client::getConversation(const ConversationId& id) const {
  return impl_->FindConversation(id.str());
}
Message Client::getMessage(const MessageId& id) const { return impl_->FindMessage(id.str()); }
void Client::loadConversation(const ConversationId& id, Callback<Conversation> done) {
  impl_->LoadConversation(id, std::move(done));
}
void Client::queryConversations(const QueryOptions& options,
                                Callback<QueryPage<Conversation>> done) {
  impl_->QueryConversations(options, std::move(done));
}
void Client::queryMessages(const ConversationId& conversation, const QueryOptions& options,
                           Callback<QueryPage<Message>> done) {
  impl_->QueryMessages(conversation, options, std::move(done));
}
Subscription Client::onMessagesAdd(std::function<void(const MessagesAddEvent&)> h) {
  return impl_->Subscribe(std::move(h));
}
Subscription Client::onMessagesChange(std::function<void(const MessagesChangeEvent&)> h) {
  return impl_->Subscribe(std::move(h));
}
Subscription Client::onConversationsAdd(std::function<void(const ConversationsAddEvent&)> h) {
  return impl_->Subscribe(std::move(h));
}
Subscription Client::onConversationsChange(std::function<void(const ConversationsChangeEvent&)> h) {
  return impl_->Subscribe(std::move(h));
}
Subscription Client::onTyping(std::function<void(const TypingEvent&)> h) {
  return impl_->Subscribe(std::move(h));
}
Subscription Client::onConnectionState(std::function<void(const ConnectionEvent&)> h) {
  return impl_->Subscribe(std::move(h));
}
void Client::off(Subscription s) { impl_->Unsubscribe(s); }
size_t Client::pendingCount() const { return impl_->PendingCount(); }

// ---- names ----

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = message_;
  if (!layer_id_.empty()) out = layer_id_ + ": " + out;
  if (http_status_) out = std::to_string(http_status_) + " " + out;
  return out;
}

const char* ToString(ReceiptState s) {
  switch (s) {
    case ReceiptState::kPending:
      return "pending";
    case ReceiptState::kSent:
      return "sent";
    case ReceiptState::kDelivered:
      return "delivered";
    case ReceiptState::kRead:
      return "read";
  }
  return "?";
}

const char* ToString(RecipientSummary s) {
  switch (s) {
    case RecipientSummary::kNone:
      return "NONE";
    case RecipientSummary::kSome:
      return "SOME";
    case RecipientSummary::kAll:
      return "ALL";
  }
  return "?";
}

const char* ToString(ConnectionState s) {
  switch (s) {
    case ConnectionState::kDisconnected:
      return "disconnected";
    case ConnectionState::kAuthenticating:
      return "authenticating";
    case ConnectionState::kConnecting:
      return "connecting";
    case ConnectionState::kConnected:
      return "connected";
    case ConnectionState::kOffline:
      return "offline";
  }
  return "?";
}

}  // namespace relayer::sdk
