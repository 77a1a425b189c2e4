// The Relayer client SDK: a C++ client of Layer's Client API 2.0 (REST + the layer-2.0
// WebSocket), one to one with the Layer Web SDK's model (Client, Conversation, Message,
// MessagePart, queries, events).
//
// Threading. A Client owns one thread of its own (the "SDK thread") that does all network I/O
// and runs every callback and event handler, one at a time. Every public method of Client,
// Conversation and Message is thread-safe and never blocks: work is handed to the SDK thread and
// its result comes back through a callback on that thread. Handlers may call any SDK method
// (including from inside a handler), but must not block waiting for another SDK callback (that
// would deadlock the SDK thread) and must not destroy the Client.
//
// Ownership. Conversation and Message handles stay valid (as snapshots) after the Client is
// gone; methods that need the network then answer kCancelled.
//
// Sends. Conversation creation, message sends, receipts and patches go through a queue, in
// order. Offline, the queue waits and is retried with exponential backoff using the same
// client-chosen ids, so a retry never duplicates (the server answers a repeated id with the
// existing object). With ClientOptions::queue_path the queue lives in a small SQLite file and
// survives restarts of the application: the next Client with the same path and user resends it.
//
// Delivery receipts are sent automatically for every received message, as the Web SDK does.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "relayer/conversation.h"
#include "relayer/events.h"
#include "relayer/message.h"
#include "relayer/query.h"
#include "relayer/status.h"
#include "relayer/types.h"

namespace relayer::sdk {

// Answers Layer's authentication challenge: given the server's nonce and the user id passed to
// connect(), obtain an identity token (a JWT signed by the app's backend; see protocol.md) and
// pass it to `done`, from any thread. Called on the SDK thread, again whenever the session
// expires. A failed Result stops the connection attempt (state kDisconnected).
using IdentityTokenProvider = std::function<void(
    const std::string& nonce, const std::string& user_id, Callback<std::string> done)>;

struct ClientOptions {
  std::string app_id = {};      // "layer:///apps/staging/UUID" (or the bare UUID)
  std::string server_url = {};  // "http://host:port"; the WebSocket is at <url>/websocket/
  IdentityTokenProvider identity_token = {};
  // SQLite file keeping the send queue across restarts; empty keeps it in memory only.
  std::string queue_path = {};
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10'000};
  std::chrono::milliseconds request_timeout{15'000};
  bool send_delivery_receipts = true;
};

// Handle of one event subscription, for Client::off().
using Subscription = uint64_t;

class Client {
 public:
  explicit Client(ClientOptions options);
  // Stops the SDK thread; callbacks still pending are dropped (never called). The persisted
  // queue keeps what was not sent.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Authenticates as `user_id` and opens the WebSocket, then keeps the connection up
  // (reconnecting with backoff and replaying missed events) until disconnect(). `done` runs once:
  // ok when first connected, or with the error that stopped it (bad token: kUnauthenticated).
  // While the server is unreachable it keeps trying and `done` waits.
  void connect(const std::string& user_id, StatusCallback done = {});
  // Closes the socket and stops reconnecting; the queue stays (resent on the next connect()).
  void disconnect();
  ConnectionState connectionState() const;
  std::string userId() const;  // "" before connect()

  // Creates (queues the creation of) a conversation with a client-chosen id; returns at once.
  // `done` runs when the server has it (a distinct one may turn out to be an existing one).
  Conversation createConversation(const ConversationOptions& options, StatusCallback done = {});
  // A conversation or message this client already knows (from creation, events or queries).
  Conversation getConversation(const ConversationId& id) const;
  Message getMessage(const MessageId& id) const;
  // Fetches one conversation from the server.
  void loadConversation(const ConversationId& id, Callback<Conversation> done);

  // One page of the user's conversations / of a conversation's messages.
  void queryConversations(const QueryOptions& options, Callback<QueryPage<Conversation>> done);
  void queryMessages(const ConversationId& conversation, const QueryOptions& options,
                     Callback<QueryPage<Message>> done);

  // Event subscriptions; handlers run on the SDK thread. Safe to call from any thread.
  Subscription onMessagesAdd(std::function<void(const MessagesAddEvent&)> handler);
  Subscription onMessagesChange(std::function<void(const MessagesChangeEvent&)> handler);
  Subscription onConversationsAdd(std::function<void(const ConversationsAddEvent&)> handler);
  Subscription onConversationsChange(std::function<void(const ConversationsChangeEvent&)> handler);
  Subscription onTyping(std::function<void(const TypingEvent&)> handler);
  Subscription onConnectionState(std::function<void(const ConnectionEvent&)> handler);
  void off(Subscription subscription);

  // Number of queued operations not yet acknowledged by the server (sends, receipts, ...).
  size_t pendingCount() const;

 private:
  std::shared_ptr<ClientImpl> impl_;
};

}  // namespace relayer::sdk
