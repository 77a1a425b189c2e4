// ChatTransport over Relayer's Client API, as the Web SDK uses it: REST to log in, create
// conversations and post receipts; one layer-2.0 WebSocket per user for Message.create and the
// change packets. With `relay`, the same packets against bench/relay, which stores nothing and
// needs no login.
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <deque>
#include <unordered_map>

#include "async_util.h"
#include "chat_transport.h"
#include "http_client.h"
#include "layer_packets.h"
#include "login.h"
#include "report.h"
#include "users.h"
#include "ws_client.h"

namespace relayer::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;

namespace {

constexpr std::string_view kIdentityPrefix = "layer:///identities/";
constexpr std::string_view kStatusPrefix = "recipient_status.";

struct PendingReceipt {
  uint64_t seq;
  ReceiptKind kind;
};

struct User {
  User(size_t index, asio::any_io_executor ex, const Target& target, asio::ip::address local)
      : index(index), ws(ex), receipts(ex, target, local), local(local) {}
  size_t index;  // in ChatSetup::users
  WsStream ws;
  beast::flat_buffer buffer;
  std::deque<std::string> out;  // packets queued behind the write in flight
  std::string in_flight;        // the write in flight
  bool writing = false;
  bool open = false;
  bool stalled = false;  // stops reading (the next packet is dropped), stays open
  HttpClient receipts;   // its own kept-alive connection, as each browser has
  std::deque<PendingReceipt> receipt_queue;
  bool posting = false;
  asio::ip::address local;
  std::string token;
};

std::string_view StringAt(const json::value& v, std::initializer_list<const char*> keys) {
  return Str(Path(v, keys));
}

class LayerTransport final : public ChatTransport {
 public:
  LayerTransport(asio::any_io_executor ex, const std::vector<Target>& targets, std::string data_dir,
                 bool relay, ChatEvents* events)
      : ex_(std::move(ex)),
        targets_(targets),
        target_(targets.at(0)),
        data_dir_(std::move(data_dir)),
        relay_(relay),
        events_(events) {}

  asio::awaitable<std::string> Setup(const ChatSetup* setup) override {
    setup_ = setup;
    SourceAddresses sources(setup->source_addresses, 2 * setup->users.size());
    for (size_t i = 0; i < setup->users.size(); ++i) {
      users_.push_back(std::make_unique<User>(i, ex_, NodeOf(i), sources.Next()));
      index_of_[setup->users[i]] = i;
    }
    if (relay_) {
      for (size_t i = 0; i < users_.size(); ++i) users_[i]->token = setup->users[i];
      for (const auto& members : setup->conversations) {
        std::string id = "layer:///conversations/" + setup->users[members[0]];
        for (size_t k = 1; k < members.size(); ++k) id += "~" + setup->users[members[k]];
        conversations_.push_back(std::move(id));
      }
    } else {
      auto login_aw = LoginAndCreate(&sources);
      std::string error = co_await std::move(login_aw);
      if (!error.empty()) co_return error;
    }
    auto open_aw = ForEach<LayerTransport>(this, &OpenOne, users_.size(), 64);
    co_await std::move(open_aw);
    if (open_failed_) {
      co_return std::to_string(open_failed_) +
          " WebSockets could not be opened; first: " + first_error_;
    }
    Progress("[setup] " + std::to_string(users_.size()) + " WebSockets open");
    co_return "";
  }

  void Send(size_t conversation, size_t from, uint64_t seq, std::string_view body) override {
    User& u = *users_[from];
    json::object text{{"mime_type", "text/plain"}, {"body", body}};
    json::object data;
    data["parts"] = json::array{
        text, json::object{{"mime_type", "application/x-bench"}, {"body", "{\"kind\":\"bench\"}"}}};
    json::object request;
    request["method"] = "Message.create";
    std::string request_id = "s";
    request_id += std::to_string(seq);
    request["request_id"] = request_id;
    request["object_id"] = conversations_[conversation];
    request["data"] = std::move(data);
    json::object packet;
    packet["type"] = "request";
    packet["body"] = std::move(request);
    Write(u, json::serialize(packet));
  }

  void SendReceipt(size_t user, uint64_t seq, ReceiptKind kind) override {
    User& u = *users_[user];
    u.receipt_queue.push_back({seq, kind});
    if (!u.posting) {
      u.posting = true;
      auto aw = PostReceipts(this, user);
      asio::co_spawn(ex_, std::move(aw), asio::detached);
    }
  }

  bool IsOpen(size_t user) const override { return users_[user]->open; }

  bool StopReading(size_t user) override {
    users_[user]->stalled = true;
    return true;
  }

  void CloseAll() override {
    closing_ = true;
    for (auto& u : users_) {
      boost::system::error_code ignored;
      beast::get_lowest_layer(u->ws).socket().close(ignored);
      u->receipts.Close();
    }
  }

 private:
  const Target& NodeOf(size_t user) const { return targets_[user % targets_.size()]; }

  asio::awaitable<std::string> LoginAndCreate(SourceAddresses* sources) {
    sessions_.users = setup_->users;
    if (auto e = ReadDevAppId(data_dir_, sessions_.app_id); !e.empty()) co_return e;
    for (int i = 0; i < std::max(1, setup_->login_concurrency); ++i) {
      sessions_.clients.push_back(std::make_unique<HttpClient>(ex_, target_, sources->Next()));
    }
    auto login_aw = LoginAll(&sessions_);
    co_await std::move(login_aw);
    if (sessions_.failed) co_return "login failed: " + sessions_.first_error;
    for (size_t i = 0; i < users_.size(); ++i) users_[i]->token = sessions_.tokens[i];
    conversations_.assign(setup_->conversations.size(), "");
    auto create_aw =
        ForEach<LayerTransport>(this, &CreateOne, conversations_.size(), sessions_.clients.size());
    co_await std::move(create_aw);
    for (auto& client : sessions_.clients) client->Close();
    if (!first_error_.empty()) co_return first_error_;
    Progress("[setup] " + std::to_string(conversations_.size()) + " conversations");
    co_return "";
  }

  static asio::awaitable<void> CreateOne(LayerTransport* t, size_t worker, size_t index) {
    const auto& members = t->setup_->conversations[index];
    std::vector<std::string> others;
    for (size_t k = 1; k < members.size(); ++k) others.push_back(t->setup_->users[members[k]]);
    auto aw = CreateGroupConversation(*t->sessions_.clients[worker], t->users_[members[0]]->token,
                                      &others, members.size() == 2);
    ConversationResult r = co_await std::move(aw);
    if (r.id.empty() && t->first_error_.empty()) t->first_error_ = r.error;
    t->conversations_[index] = r.id;
  }

  static asio::awaitable<void> OpenOne(LayerTransport* t, size_t worker, size_t index) {
    (void)worker;
    User* u = t->users_[index].get();
    auto aw = OpenLayerSocket(u->ws, t->NodeOf(index), u->local, u->token);
    boost::system::error_code ec = co_await std::move(aw);
    if (ec) {
      if (t->open_failed_++ == 0) t->first_error_ = t->setup_->users[index] + ": " + ec.message();
      co_return;
    }
    u->open = true;
    auto read = ReadLoop(t, index);
    asio::co_spawn(u->ws.get_executor(), std::move(read), asio::detached);
  }

  static asio::awaitable<void> ReadLoop(LayerTransport* t, size_t index) {
    User* u = t->users_[index].get();
    boost::system::error_code ec;
    for (;;) {
      auto aw = u->ws.async_read(u->buffer, asio::redirect_error(asio::use_awaitable, ec));
      co_await std::move(aw);
      if (ec) break;
      if (u->stalled) co_return;  // stays open, never read again
      const auto data = u->buffer.cdata();
      t->OnPacket(index, std::string_view(static_cast<const char*>(data.data()), data.size()));
      u->buffer.consume(u->buffer.size());
    }
    std::string why = "read: " + ec.message();
    if (ec == beast::websocket::error::closed) {
      why = "closed by server: " + std::to_string(u->ws.reason().code) + " " +
            std::string(u->ws.reason().reason.data(), u->ws.reason().reason.size());
    }
    t->MarkClosed(index, why);
  }

  // Receipts go one at a time per user over its kept-alive connection, in order.
  static asio::awaitable<void> PostReceipts(LayerTransport* t, size_t index) {
    User* u = t->users_[index].get();
    HttpRequest req;
    req.verb = beast::http::verb::post;
    req.session_token = u->token;
    while (!u->receipt_queue.empty() && !t->closing_) {
      const PendingReceipt r = u->receipt_queue.front();
      u->receipt_queue.pop_front();
      auto id = t->message_ids_.find(r.seq);
      if (id == t->message_ids_.end()) {
        t->events_->OnTransportError(index, "receipt for a message id never seen");
        continue;
      }
      req.target = "/messages/" + Uuid(id->second) + "/receipts";
      req.body = r.kind == ReceiptKind::kRead ? R"({"type":"read"})" : R"({"type":"delivery"})";
      auto aw = u->receipts.Send(req);
      HttpResult res = co_await std::move(aw);
      if (!res.ok()) t->events_->OnTransportError(index, "receipt: " + res.Describe());
    }
    u->posting = false;
  }

  void Write(User& u, std::string packet) {
    if (!u.open) return;
    if (u.writing) {
      u.out.push_back(std::move(packet));
      return;
    }
    u.in_flight = std::move(packet);
    StartWrite(u);
  }

  void StartWrite(User& u) {
    u.writing = true;
    u.ws.async_write(asio::buffer(u.in_flight), [this, &u](boost::system::error_code ec, size_t) {
      if (ec) {
        u.writing = false;
        MarkClosed(u.index, "write: " + ec.message());
        return;
      }
      if (u.out.empty()) {
        u.writing = false;
        return;
      }
      u.in_flight = std::move(u.out.front());  // one frame per write: frames cannot be merged
      u.out.pop_front();
      StartWrite(u);
    });
  }

  void MarkClosed(size_t index, const std::string& why) {
    User& u = *users_[index];
    if (!u.open) return;
    u.open = false;
    if (!closing_) events_->OnClosed(index, why);
  }

  void OnPacket(size_t index, std::string_view text) {
    boost::system::error_code ec;
    unsigned char scratch[8192];  // most packets parse without touching the heap
    json::monotonic_resource memory(scratch, sizeof scratch);
    json::value packet = json::parse(text, ec, &memory);
    if (ec || !packet.is_object()) return events_->OnTransportError(index, "unparsable packet");
    const std::string_view type = StringAt(packet, {"type"});
    if (type == "response") {
      OnResponse(index, packet);
    } else if (type == "change" && StringAt(packet, {"body", "object", "type"}) == "Message") {
      const std::string_view operation = StringAt(packet, {"body", "operation"});
      if (operation == "create") OnMessageCreated(index, packet);
      if (operation == "update") OnMessageUpdated(index, packet);
    }
  }

  void OnResponse(size_t index, const json::value& packet) {
    const std::string_view request_id = StringAt(packet, {"body", "request_id"});
    if (request_id.size() < 2 || request_id[0] != 's') return;
    const uint64_t seq = std::strtoull(std::string(request_id.substr(1)).c_str(), nullptr, 10);
    const json::value* success = Path(packet, {"body", "success"});
    if (!success || !success->is_bool() || !success->as_bool()) {
      const std::string_view message = StringAt(packet, {"body", "data", "message"});
      events_->OnAck(index, seq, false, message.empty() ? "error response" : message);
      return;
    }
    Remember(seq, StringAt(packet, {"body", "data", "id"}));
    events_->OnAck(index, seq, true, "");
  }

  void OnMessageCreated(size_t index, const json::value& packet) {
    if (StringAt(packet, {"body", "data", "sender", "user_id"}) == setup_->users[index]) return;
    const json::value* parts = Path(packet, {"body", "data", "parts"});
    if (!parts || !parts->is_array() || parts->as_array().empty()) return;
    const std::string_view body = StringAt(parts->as_array()[0], {"body"});
    const int64_t seq = SeqOf(body);
    if (seq < 0) return;
    Remember(static_cast<uint64_t>(seq), StringAt(packet, {"body", "data", "id"}));
    events_->OnMessage(index, static_cast<uint64_t>(seq), body);
  }

  // recipient_status patches: [{operation: set, property: "recipient_status.<id>", value}].
  void OnMessageUpdated(size_t index, const json::value& packet) {
    auto seq = seqs_.find(std::string(StringAt(packet, {"body", "object", "id"})));
    const json::value* ops = Path(packet, {"body", "data"});
    if (seq == seqs_.end() || !ops || !ops->is_array()) return;
    for (const auto& op : ops->as_array()) {
      std::string_view property = StringAt(op, {"property"});
      const std::string_view value = StringAt(op, {"value"});
      if (property.rfind(kStatusPrefix, 0) != 0) continue;
      property.remove_prefix(kStatusPrefix.size());
      if (property.rfind(kIdentityPrefix, 0) != 0) continue;
      property.remove_prefix(kIdentityPrefix.size());
      std::string user;  // dots are escaped in patch paths
      for (size_t i = 0; i < property.size(); ++i) {
        if (property[i] == '\\' && i + 1 < property.size()) ++i;
        user.push_back(property[i]);
      }
      auto by = index_of_.find(user);
      if (by == index_of_.end()) continue;
      if (value == "delivered")
        events_->OnReceipt(index, seq->second, by->second, ReceiptKind::kDelivered);
      if (value == "read") events_->OnReceipt(index, seq->second, by->second, ReceiptKind::kRead);
    }
  }

  void Remember(uint64_t seq, std::string_view id) {
    if (id.empty() || message_ids_.count(seq)) return;
    message_ids_.emplace(seq, std::string(id));
    seqs_.emplace(std::string(id), seq);
  }

  asio::any_io_executor ex_;
  const std::vector<Target>& targets_;
  const Target& target_;  // targets_[0]: logins and conversations
  std::string data_dir_;
  bool relay_;
  ChatEvents* events_;
  const ChatSetup* setup_ = nullptr;
  std::vector<std::unique_ptr<User>> users_;
  std::unordered_map<std::string, size_t> index_of_;
  std::vector<std::string> conversations_;
  UserSessions sessions_;
  std::unordered_map<uint64_t, std::string> message_ids_;  // seq → layer:///messages/UUID
  std::unordered_map<std::string, uint64_t> seqs_;         // and back
  size_t open_failed_ = 0;
  std::string first_error_;
  bool closing_ = false;
};

}  // namespace

std::unique_ptr<ChatTransport> MakeLayerTransport(asio::any_io_executor ex,
                                                  const std::vector<Target>& targets,
                                                  std::string data_dir, bool relay,
                                                  ChatEvents* events) {
  return std::make_unique<LayerTransport>(std::move(ex), targets, std::move(data_dir), relay,
                                          events);
}

}  // namespace relayer::bench
