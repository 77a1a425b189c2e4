// The SDK's engine behind relayer::Client: its io thread, the caches of conversations and
// messages, event dispatch, the session, the WebSocket and the send queue. Every member
// function whose name ends in `OnIo` runs on the SDK thread only; the rest are thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "client/http.h"
#include "client/queue_store.h"
#include "client/records.h"
#include "relayer/client.h"

namespace relayer::sdk {

namespace net {
class Socket;
}

using net::HttpResponse;

class ClientImpl : public std::enable_shared_from_this<ClientImpl> {
 public:
  explicit ClientImpl(ClientOptions options);
  ~ClientImpl();
  void Start();     // opens the queue file and the io thread
  void Shutdown();  // joins the io thread; later posts are dropped

  // Runs `fn` on the SDK thread (dropped after Shutdown). Thread-safe.
  void Post(std::function<void()> fn);

  // ---- public API, thread-safe ----
  void Connect(const std::string& user, StatusCallback done);
  void Disconnect();
  ConnectionState state() const;
  std::string user() const;
  Conversation CreateConversation(const ConversationOptions& options, StatusCallback done);
  Conversation FindConversation(const std::string& id) const;
  Message FindMessage(const std::string& id) const;
  void LoadConversation(const ConversationId& id, Callback<Conversation> done);
  void QueryConversations(const QueryOptions& options, Callback<QueryPage<Conversation>> done);
  void QueryMessages(const ConversationId& id, const QueryOptions& options,
                     Callback<QueryPage<Message>> done);
  size_t PendingCount() const;

  // Handles call these.
  Message NewMessage(const std::shared_ptr<ConversationRecord>& conv,
                     std::vector<MessagePart> parts);
  void SendMessage(const std::shared_ptr<MessageRecord>& msg, const Notification& n,
                   StatusCallback done);
  void MarkRead(const std::shared_ptr<MessageRecord>& msg);
  void FetchPart(const std::shared_ptr<MessageRecord>& msg, size_t index,
                 Callback<std::string> done);
  void PatchConversation(const std::shared_ptr<ConversationRecord>& conv, boost::json::array ops,
                         StatusCallback done);
  void SendTyping(const std::shared_ptr<ConversationRecord>& conv, TypingState state);

  template <typename Event>
  using Handlers = std::map<Subscription, std::function<void(const Event&)>>;
  Subscription Subscribe(std::function<void(const MessagesAddEvent&)> h);
  Subscription Subscribe(std::function<void(const MessagesChangeEvent&)> h);
  Subscription Subscribe(std::function<void(const ConversationsAddEvent&)> h);
  Subscription Subscribe(std::function<void(const ConversationsChangeEvent&)> h);
  Subscription Subscribe(std::function<void(const TypingEvent&)> h);
  Subscription Subscribe(std::function<void(const ConnectionEvent&)> h);
  void Unsubscribe(Subscription s);

  // ---- SDK thread ----
  // A Client API call with Layer's headers and the session.
  boost::asio::awaitable<HttpResponse> ApiOnIo(std::string method, std::string path,
                                               std::string body, std::string content_type = "");
  static Status StatusOf(const HttpResponse& r);
  // Applies a packet from the WebSocket.
  void OnPacketOnIo(const boost::json::object& packet);

 private:
  struct Op : net::QueuedOp {
    StatusCallback done;
  };

  template <typename Event>
  void Emit(const Handlers<Event>& handlers, const Event& e);
  void SetStateOnIo(ConnectionState s, Status reason = {});
  void WakeQueueOnIo();
  void EnqueueOnIo(Op op);
  void PostEnqueue(Op op);  // any thread

  boost::asio::awaitable<void> ConnectLoop(uint64_t generation);
  boost::asio::awaitable<Status> AuthenticateOnIo();
  boost::asio::awaitable<void> QueueLoop();
  boost::asio::awaitable<Status> RunOpOnIo(Op& op);
  boost::asio::awaitable<Status> UploadPartsOnIo(Op& op);
  boost::asio::awaitable<void> SleepOnIo(std::chrono::milliseconds d);
  std::chrono::milliseconds Backoff(int attempt) const;

  // Cache updates from server objects; return the record (creating it) and whether it is new.
  std::shared_ptr<ConversationRecord> UpsertConversationOnIo(const boost::json::object& o,
                                                             bool emit);
  std::shared_ptr<MessageRecord> UpsertMessageOnIo(const boost::json::object& o, bool emit);
  // One page of a list endpoint (api.cc).
  template <typename T, typename Upsert>
  void RunQuery(std::string path, int page_size, Upsert upsert, Callback<QueryPage<T>> done);
  void ApplyConversationPatchOnIo(const std::string& id, const boost::json::array& ops);
  void ApplyMessagePatchOnIo(const std::string& id, const boost::json::array& ops);
  void MaybeSendDeliveryOnIo(const std::shared_ptr<MessageRecord>& msg);
  void RekeyConversationOnIo(const std::string& old_id, const std::string& new_id);
  void ChangeStatusOnIo(const std::shared_ptr<MessageRecord>& msg, const std::string& user,
                        ReceiptState state);

  const ClientOptions options_;
  std::unique_ptr<boost::asio::io_context> ioc_;
  std::thread thread_;
  std::mutex enqueue_mu_;      // keeps queue order = persisted order across calling threads
  bool queue_loaded_ = false;  // under enqueue_mu_
  mutable std::mutex mu_;      // guards everything below that other threads read
  bool running_ = false;
  ConnectionState state_ = ConnectionState::kDisconnected;
  std::string user_;
  std::map<std::string, std::shared_ptr<ConversationRecord>> conversations_;
  std::map<std::string, std::shared_ptr<MessageRecord>> messages_;
  Subscription next_subscription_ = 1;
  Handlers<MessagesAddEvent> on_messages_add_;
  Handlers<MessagesChangeEvent> on_messages_change_;
  Handlers<ConversationsAddEvent> on_conversations_add_;
  Handlers<ConversationsChangeEvent> on_conversations_change_;
  Handlers<TypingEvent> on_typing_;
  Handlers<ConnectionEvent> on_connection_;
  size_t pending_ = 0;  // queue_.size()
  size_t posted_ = 0;   // handed to the SDK thread, not yet in queue_

  // SDK thread only.
  uint64_t generation_ = 0;  // bumps on connect()/disconnect(), ending older loops
  bool want_connected_ = false;
  std::string session_token_;
  std::string last_change_;  // timestamp of the newest change packet, for Event.replay
  StatusCallback connect_done_;
  std::deque<Op> queue_;
  bool queue_loop_running_ = false;
  std::optional<boost::asio::steady_timer> queue_wake_;
  std::shared_ptr<net::Socket> socket_;
  net::QueueStore store_;
};

}  // namespace relayer::sdk
