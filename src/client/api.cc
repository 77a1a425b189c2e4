// ClientImpl's operations behind the public handles: creating conversations and messages
// (queued), receipts, patches, typing, lazy content downloads and paged queries.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include "client/client_impl.h"
#include "client/codec.h"
#include "client/socket.h"

namespace relayer::sdk {

namespace asio = boost::asio;
namespace json = boost::json;

Conversation ClientImpl::FindConversation(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = conversations_.find(id);
  return it == conversations_.end() ? Conversation() : Conversation(it->second);
}

Message ClientImpl::FindMessage(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = messages_.find(id);
  return it == messages_.end() ? Message() : Message(it->second);
}

void ClientImpl::PostEnqueue(Op op) {
  // Persisted and counted at once, in the caller's thread: a send made just before the app
  // quits is kept, and pendingCount() never misses a send on its way to the queue.
  std::lock_guard order(enqueue_mu_);
  store_.Add(user(), op);
  {
    std::lock_guard lock(mu_);
    ++posted_;
  }
  Post([this, op = std::move(op)]() mutable {
    {
      std::lock_guard lock(mu_);
      --posted_;
    }
    EnqueueOnIo(std::move(op));
  });
}

Conversation ClientImpl::CreateConversation(const ConversationOptions& options,
                                            StatusCallback done) {
  auto rec = std::make_shared<ConversationRecord>();
  rec->client = weak_from_this();
  rec->id = ConversationId("layer:///conversations/" + Codec::NewUuid());
  std::string me = user();
  rec->participants = options.participants;
  if (std::find(rec->participants.begin(), rec->participants.end(), me) == rec->participants.end())
    rec->participants.push_back(me);
  rec->distinct = options.distinct;
  rec->metadata = options.metadata;
  {
    std::lock_guard lock(mu_);
    conversations_[rec->id.str()] = rec;
  }
  json::array participants;
  for (const auto& p : options.participants) participants.emplace_back(p);
  json::object body{{"id", rec->id.str()},
                    {"participants", std::move(participants)},
                    {"distinct", options.distinct}};
  if (!options.metadata.empty()) body["metadata"] = Codec::MetadataJson(options.metadata);
  Op op;
  op.kind = "conversation";
  op.method = "POST";
  op.path = "/conversations";
  op.body = json::serialize(body);
  op.object_id = rec->id.str();
  op.done = std::move(done);
  PostEnqueue(std::move(op));
  // As in the Web SDK, a conversation made here is announced at once (it syncs later).
  Post([this, rec] { Emit(on_conversations_add_, ConversationsAddEvent{{Conversation(rec)}}); });
  return Conversation(rec);
}

Message ClientImpl::NewMessage(const std::shared_ptr<ConversationRecord>& conv,
                               std::vector<MessagePart> parts) {
  auto rec = std::make_shared<MessageRecord>();
  rec->client = weak_from_this();
  rec->own_user = user();
  rec->id = MessageId("layer:///messages/" + Codec::NewUuid());
  rec->parts = std::move(parts);
  rec->sender.user_id = rec->own_user;
  {
    std::lock_guard lock(conv->mu);
    rec->conversation = conv->id;
    for (const auto& p : conv->participants) rec->status[p] = ReceiptState::kPending;
  }
  rec->status[rec->own_user] = ReceiptState::kRead;  // the sender counts as read
  return Message(rec);
}

void ClientImpl::SendMessage(const std::shared_ptr<MessageRecord>& msg, const Notification& n,
                             StatusCallback done) {
  json::array parts;
  std::string conv_id;
  {
    std::lock_guard lock(msg->mu);
    if (msg->queued) return;
    msg->queued = true;
    for (const auto& p : msg->parts) parts.push_back(Codec::PartJson(p));
    conv_id = msg->conversation.str();
  }
  {
    std::lock_guard lock(mu_);
    messages_[msg->id.str()] = msg;
  }
  json::object body{{"id", msg->id.str()}, {"parts", std::move(parts)}};
  if (!n.text.empty() || !n.sound.empty() || !n.title.empty()) {
    json::object notification;
    if (!n.text.empty()) notification["text"] = n.text;
    if (!n.sound.empty()) notification["sound"] = n.sound;
    if (!n.title.empty()) notification["title"] = n.title;
    body["notification"] = std::move(notification);
  }
  Op op;
  op.kind = "message";
  op.method = "POST";
  op.path = "/conversations/" + Codec::Uuid(conv_id) + "/messages";
  op.body = json::serialize(body);
  op.object_id = msg->id.str();
  op.done = std::move(done);
  PostEnqueue(std::move(op));
  // As in the Web SDK, a message being sent is announced at once (isSent() tells the rest).
  Post([this, msg] { Emit(on_messages_add_, MessagesAddEvent{{Message(msg)}}); });
}

void ClientImpl::MarkRead(const std::shared_ptr<MessageRecord>& msg) {
  Post([this, msg] {
    std::string me = user();
    {
      std::lock_guard lock(msg->mu);
      if (msg->read_receipt_queued || msg->sender.user_id == me) return;
      msg->read_receipt_queued = true;
    }
    // Shown as read at once, as the Web SDK does; the receipt follows through the queue.
    ChangeStatusOnIo(msg, me, ReceiptState::kRead);
    Op op;
    op.kind = "receipt";
    op.method = "POST";
    op.path = "/messages/" + Codec::Uuid(msg->id.str()) + "/receipts";
    op.body = R"({"type":"read"})";
    op.object_id = msg->id.str();
    EnqueueOnIo(std::move(op));
  });
}

void ClientImpl::PatchConversation(const std::shared_ptr<ConversationRecord>& conv, json::array ops,
                                   StatusCallback done) {
  Op op;
  op.kind = "patch";
  op.method = "PATCH";
  {
    std::lock_guard lock(conv->mu);
    op.path = "/conversations/" + Codec::Uuid(conv->id.str());
    op.object_id = conv->id.str();
  }
  op.body = json::serialize(ops);
  op.done = std::move(done);
  PostEnqueue(std::move(op));
}

void ClientImpl::SendTyping(const std::shared_ptr<ConversationRecord>& conv, TypingState state) {
  std::string id;
  {
    std::lock_guard lock(conv->mu);
    id = conv->id.str();
  }
  const char* action = state == TypingState::kStarted  ? "started"
                       : state == TypingState::kPaused ? "paused"
                                                       : "finished";
  Post([this, id, action] {
    if (!socket_ || !socket_->open()) return;  // typing is ephemeral: never queued
    json::object body{{"type", "typing_indicator"},
                      {"object", json::object{{"id", id}}},
                      {"data", json::object{{"action", action}}}};
    socket_->Send("signal", std::move(body));
  });
}

void ClientImpl::FetchPart(const std::shared_ptr<MessageRecord>& msg, size_t index,
                           Callback<std::string> done) {
  Post([this, msg, index, done = std::move(done)]() mutable {
    std::string url, content_id;
    {
      std::lock_guard lock(msg->mu);
      if (index >= msg->parts.size()) {
        if (done) done(Status(StatusCode::kInvalidArgument, "no such part"));
        return;
      }
      const auto& part = msg->parts[index];
      if (part.isLoaded() || !part.content()) {
        if (done) done(part.body());
        return;
      }
      url = part.content()->download_url;
      content_id = part.content()->id;
    }
    auto task = [this, msg, index, url, content_id,
                 done = std::move(done)]() mutable -> asio::awaitable<void> {
      std::string link = url;
      if (link.empty()) {  // no link yet (or never sent one): ask the refresh_url for a fresh one
        auto refresh_aw = ApiOnIo("GET", "/content/" + Codec::Uuid(content_id), "");
        HttpResponse refreshed = co_await std::move(refresh_aw);
        if (auto s = StatusOf(refreshed); !s.ok()) {
          if (done) done(s);
          co_return;
        }
        boost::system::error_code ec;
        auto v = json::parse(refreshed.body, ec);
        if (!ec && v.is_object()) link = JStr(v.as_object(), "download_url");
      }
      net::HttpRequest get;
      get.url = link;
      auto get_aw = net::HttpFetch(std::move(get), options_.request_timeout * 4);
      HttpResponse res = co_await std::move(get_aw);
      if (auto s = StatusOf(res); !s.ok()) {
        if (done) done(s);
        co_return;
      }
      {
        std::lock_guard lock(msg->mu);
        if (index < msg->parts.size()) Codec::SetBody(msg->parts[index], res.body);
      }
      MessagesChangeEvent change;
      change.target = Message(msg);
      change.changes.push_back({"parts", std::monostate{}, std::monostate{}});
      Emit(on_messages_change_, change);
      if (done) done(std::move(res.body));
    };
    asio::co_spawn(*ioc_, std::move(task), asio::detached);
  });
}

void ClientImpl::LoadConversation(const ConversationId& id, Callback<Conversation> done) {
  Post([this, id, done = std::move(done)]() mutable {
    auto task = [this, id, done = std::move(done)]() mutable -> asio::awaitable<void> {
      auto aw = ApiOnIo("GET", "/conversations/" + Codec::Uuid(id.str()), "");
      HttpResponse res = co_await std::move(aw);
      Status s = StatusOf(res);
      boost::system::error_code ec;
      auto v = json::parse(res.body, ec);
      if (s.ok() && (ec || !v.is_object())) s = Status(StatusCode::kServerError, "bad answer");
      if (!s.ok()) {
        if (done) done(s);
        co_return;
      }
      auto rec = UpsertConversationOnIo(v.as_object(), true);
      if (done) done(Conversation(rec));
    };
    asio::co_spawn(*ioc_, std::move(task), asio::detached);
  });
}

namespace {
// One item more than asked for (within Layer's maximum of 100), so that a full page knows
// whether another follows without an empty last page.
int FetchSize(int page_size) { return std::min(std::clamp(page_size, 1, 100) + 1, 100); }

template <typename T>
void FinishPage(QueryPage<T>& page, int page_size) {
  size_t size = static_cast<size_t>(std::clamp(page_size, 1, 100));
  bool more = page.items.size() > size || (size == 100 && page.items.size() == 100);
  if (page.items.size() > size) page.items.resize(size);
  if (more) page.next_from_id = page.items.back().id().str();
}

std::string PageQuery(const QueryOptions& o) {
  std::string q = "?page_size=" + std::to_string(FetchSize(o.page_size));
  if (!o.from_id.empty()) q += "&from_id=" + Codec::Uuid(o.from_id);
  return q;
}
}  // namespace

// GETs one page at `path` on the SDK thread; `upsert` turns each item into a cached record
// (null skips it), which `done` receives wrapped in its handle type T.
template <typename T, typename Upsert>
void ClientImpl::RunQuery(std::string path, int page_size, Upsert upsert,
                          Callback<QueryPage<T>> done) {
  Post([this, path = std::move(path), page_size, upsert, done = std::move(done)]() mutable {
    auto task = [this, path, page_size, upsert,
                 done = std::move(done)]() mutable -> asio::awaitable<void> {
      auto aw = ApiOnIo("GET", path, "");
      HttpResponse res = co_await std::move(aw);
      Status s = StatusOf(res);
      boost::system::error_code ec;
      auto v = json::parse(res.body, ec);
      if (s.ok() && (ec || !v.is_array())) s = Status(StatusCode::kServerError, "bad answer");
      if (!s.ok()) {
        if (done) done(s);
        co_return;
      }
      QueryPage<T> page;
      for (const auto& item : v.as_array()) {
        if (!item.is_object()) continue;
        if (auto rec = upsert(item.as_object())) page.items.push_back(T(rec));
      }
      page.total = std::atoll(res.Header("Layer-Count").c_str());
      FinishPage(page, page_size);
      if (done) done(std::move(page));
    };
    asio::co_spawn(*ioc_, std::move(task), asio::detached);
  });
}

void ClientImpl::QueryConversations(const QueryOptions& options,
                                    Callback<QueryPage<Conversation>> done) {
  std::string path = "/conversations" + PageQuery(options);
  if (options.sort_by == "last_message") path += "&sort_by=last_message";
  RunQuery<Conversation>(
      std::move(path), options.page_size,
      [this](const json::object& o) { return UpsertConversationOnIo(o, false); }, std::move(done));
}

void ClientImpl::QueryMessages(const ConversationId& id, const QueryOptions& options,
                               Callback<QueryPage<Message>> done) {
  std::string path = "/conversations/" + Codec::Uuid(id.str()) + "/messages" + PageQuery(options);
  RunQuery<Message>(
      std::move(path), options.page_size,
      [this](const json::object& o) { return UpsertMessageOnIo(o, false); }, std::move(done));
}

}  // namespace relayer::sdk
