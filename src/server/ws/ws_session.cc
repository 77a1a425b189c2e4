#include "server/ws/ws_session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <deque>
#include <set>

#include "core/representation.h"
#include "server/api/client_api_impl.h"
#include "server/api/errors.h"
#include "server/async.h"
#include "server/auth/crypto.h"
#include "server/ws/packets.h"

namespace relayer::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

bool IsWebSocketPath(std::string_view target) {
  auto path = target.substr(0, target.find('?'));
  return path == "/" || path == "" || path == "/websocket" || path == "/websocket/";
}

namespace {

// Changes one replay reads and renders at a time (bounds the memory of a large replay).
constexpr size_t kReplayPage = 500;

class WsSession : public PacketSink, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket socket, Request upgrade, WsDeps& deps)
      : ws_(std::move(socket)),
        wake_(ws_.get_executor()),
        drained_(ws_.get_executor()),
        deps_(deps),
        upgrade_(std::move(upgrade)) {
    wake_.expires_at(asio::steady_timer::time_point::max());
  }

  void Start() { asio::co_spawn(ws_.get_executor(), Run(shared_from_this()), asio::detached); }

  void Send(std::string type, std::string body_json, TimeMs timestamp) override {
    asio::post(ws_.get_executor(),
               [self = shared_from_this(), type = std::move(type), body = std::move(body_json),
                timestamp]() mutable { self->Enqueue(type, body, timestamp); });
  }

  const std::string& base_url() const override { return base_url_; }

 private:
  // ---- connection life ------------------------------------------------------------------------

  asio::awaitable<void> Run([[maybe_unused]] std::shared_ptr<WsSession> self) {
    std::string token;
    if (auto url = boost::urls::parse_origin_form(upgrade_.target())) {
      for (auto p : url->params()) {
        if (p.key == "session_token") token = p.value;
      }
    }
    base_url_ = deps_.options.public_url.empty()
                    ? "http://" + std::string(upgrade_[http::field::host])
                    : deps_.options.public_url;
    auto auth_aw = deps_.api.Authenticate(token);
    auto caller = co_await std::move(auth_aw);

    bool wants_layer =
        std::string_view(upgrade_[http::field::sec_websocket_protocol]).find("layer-2.0") !=
        std::string_view::npos;
    ws_.set_option(websocket::stream_base::decorator([wants_layer](websocket::response_type& res) {
      if (wants_layer) res.set(http::field::sec_websocket_protocol, "layer-2.0");
      res.set(http::field::server, "relayer");
    }));
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = deps_.options.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(deps_.options.max_message_bytes);
    boost::system::error_code ec;
    co_await ws_.async_accept(upgrade_, asio::redirect_error(asio::use_awaitable, ec));
    upgrade_ = Request();  // not needed any more; keep idle connections small
    if (ec) co_return;
    if (!caller.ok()) {
      websocket::close_reason reason;
      reason.code = 4001;  // application range: the session token is not valid
      reason.reason = "authentication_required: " + caller.status().message();
      co_await ws_.async_close(reason, asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
    caller_ = std::move(*caller);
    deps_.hub.Add(app(), user(), self);
    asio::co_spawn(ws_.get_executor(), WriteLoop(self), asio::detached);

    beast::flat_buffer buffer;
    for (;;) {
      co_await ws_.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      buffer.shrink_to_fit();  // idle connections hold no read buffer
      HandlePacket(text);
    }
    Shutdown();
  }

  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    deps_.hub.Remove(app(), user(), this);
    wake_.cancel();
    drained_.cancel();
    // Others must not see this user typing forever.
    for (const auto& conversation : typing_) RelayTyping(conversation, "finished", {});
    typing_.clear();
    boost::system::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

  void Enqueue(const std::string& type, const std::string& body, TimeMs timestamp) {
    if (closed_) return;
    std::string packet = PacketText(type, counter_++, timestamp, body);
    if (queued_bytes_ + packet.size() > deps_.options.max_queued_bytes ||
        queue_.size() + 1 > deps_.options.max_queued_packets) {
      spdlog::warn("closing the connection of {}: it does not read ({} packets, {} bytes queued)",
                   user().str(), queue_.size(), queued_bytes_);
      Shutdown();
      return;
    }
    queued_bytes_ += packet.size();
    queue_.push_back(std::move(packet));
    wake_.cancel();
  }

  asio::awaitable<void> WriteLoop([[maybe_unused]] std::shared_ptr<WsSession> self) {
    boost::system::error_code ec;
    ws_.text(true);
    while (!closed_) {
      if (queue_.empty()) {
        wake_.expires_at(asio::steady_timer::time_point::max());
        co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      std::string packet = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= packet.size();
      if (queued_bytes_ <= deps_.options.max_queued_bytes / 2) drained_.cancel();
      co_await ws_.async_write(asio::buffer(packet), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        Shutdown();
        break;
      }
    }
  }

  // Waits until `bytes` (one packet) more fit in half of both outgoing bounds; false once closed.
  asio::awaitable<bool> WaitForRoom(size_t bytes) {
    boost::system::error_code ec;
    while (!closed_ && queued_bytes_ > 0 &&
           (queued_bytes_ + bytes > deps_.options.max_queued_bytes / 2 ||
            queue_.size() + 1 > deps_.options.max_queued_packets / 2)) {
      drained_.expires_after(std::chrono::seconds(1));
      co_await drained_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return !closed_;
  }

  // ---- incoming packets ------------------------------------------------------------------------

  void HandlePacket(const std::string& text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) {
      spdlog::debug("ignoring a malformed packet from {}", user().str());
      return;
    }
    auto& packet = v.as_object();
    auto* type = packet.if_contains("type");
    auto* body = packet.if_contains("body");
    if (!type || !type->is_string() || !body || !body->is_object()) return;
    if (type->as_string() == "request") {
      asio::co_spawn(ws_.get_executor(),
                     HandleRequest(shared_from_this(), std::move(body->as_object())),
                     asio::detached);
    } else if (type->as_string() == "signal") {
      asio::co_spawn(ws_.get_executor(),
                     HandleSignal(shared_from_this(), std::move(body->as_object())),
                     asio::detached);
    }
  }

  void Respond(const std::string& request_id, const std::string& method, bool success,
               json::value data) {
    json::object body;
    body["request_id"] = request_id;
    body["method"] = method;
    body["success"] = success;
    body["data"] = std::move(data);
    Enqueue("response", json::serialize(body), deps_.clock());
  }

  void Fail(const std::string& request_id, const std::string& method, const Status& status,
            json::value data = nullptr) {
    Respond(request_id, method, false, ErrorJson(status, std::move(data)));
  }

  asio::awaitable<void> HandleRequest([[maybe_unused]] std::shared_ptr<WsSession> self,
                                      json::object body) {
    std::string request_id, method;
    if (auto* r = body.if_contains("request_id"); r && r->is_string()) request_id = r->as_string();
    if (auto* m = body.if_contains("method"); m && m->is_string()) method = m->as_string();
    json::object data;
    if (auto* d = body.if_contains("data"); d && d->is_object()) data = d->as_object();
    std::string object_id;
    if (auto* o = body.if_contains("object_id"); o && o->is_string()) object_id = o->as_string();

    if (method == "Counter.read") {
      json::object out;
      out["counter"] = counter_;
      Respond(request_id, method, true, std::move(out));
    } else if (method == "Presence.sync") {
      json::object out;
      out["changes"] = json::array();
      Respond(request_id, method, true, std::move(out));
    } else if (method == "Presence.subscribe" || method == "Presence.update") {
      Respond(request_id, method, true, json::object());
    } else if (method == "Conversation.create") {
      auto aw = CreateConversation(request_id, method, std::move(data));
      co_await std::move(aw);
    } else if (method == "Message.create") {
      auto aw = CreateMessage(request_id, method, object_id, std::move(data));
      co_await std::move(aw);
    } else if (method == "Event.replay") {
      auto aw = Replay(request_id, method, std::move(data));
      co_await std::move(aw);
    } else {
      Fail(request_id, method,
           Status(ErrorCode::kInvalidEndpoint, "Unknown request method '" + method + "'"));
    }
  }

  asio::awaitable<void> CreateConversation(std::string request_id, std::string method,
                                           json::object data) {
    CreateConversationOp op;
    if (auto s = ParseConversationCreate(data, deps_.limits, op); !s.ok()) {
      Fail(request_id, method, s);
      co_return;
    }
    op.app_id = app();
    op.creator = user();
    op.generated_id = ConversationId(RandomUuid());
    op.now = deps_.clock();
    auto aw = Write(deps_.store, std::move(op));
    auto r = co_await std::move(aw);
    if (!r.status.ok()) {
      Fail(request_id, method, r.status);
      co_return;
    }
    json::value conv = r.conversation
                           ? json::value(ConversationJson(*r.conversation, user(), base_url_,
                                                          deps_.options.content_links))
                           : json::value(nullptr);
    if (auto s = CreateOutcomeStatus(r.outcome, "conversation"); !s.ok()) {
      Fail(request_id, method, s, std::move(conv));
    } else {
      Respond(request_id, method, true, std::move(conv));
    }
  }

  asio::awaitable<void> CreateMessage(std::string request_id, std::string method,
                                      std::string object_id, json::object data) {
    auto cid = ParseConversationId(object_id);
    if (!cid) {
      Fail(request_id, method, NotFound("No conversation '" + object_id + "'"));
      co_return;
    }
    CreateMessageOp op;
    if (auto s = ParseMessageCreate(data, deps_.limits, op); !s.ok()) {
      Fail(request_id, method, s);
      co_return;
    }
    op.app_id = app();
    op.conversation_id = *cid;
    op.generated_id = MessageId(RandomUuid());
    op.sender.user_id = user();
    op.now = deps_.clock();
    auto aw = Write(deps_.store, std::move(op));
    auto r = co_await std::move(aw);
    if (!r.status.ok()) {
      Fail(request_id, method, r.status);
      co_return;
    }
    json::value msg =
        r.message
            ? json::value(MessageJson(*r.message, user(), base_url_, deps_.options.content_links))
            : json::value(nullptr);
    if (auto s = CreateOutcomeStatus(r.outcome, "message"); !s.ok()) {
      Fail(request_id, method, s, std::move(msg));
    } else {
      Respond(request_id, method, true, std::move(msg));
    }
  }

  struct ReplayPage {
    std::vector<std::pair<std::string, TimeMs>> packets;  // change bodies
    int64_t last_seq = 0;                                 // of the last change read
    bool more = false;                                    // a full page: read on after it
    Status status;
  };

  // Renders one page of the user's change log: from `from` (a time) when `after` is 0, else the
  // changes after seq `after`. Runs on the blocking pool.
  ReplayPage ReadReplayPage(const AppId& app, const UserId& viewer, const std::string& base,
                            TimeMs from, int64_t after) {
    ReplayPage out;
    auto page = deps_.store.ChangesFor(app, viewer, after, after ? 0 : from, kReplayPage);
    if (!page.ok()) {
      out.status = page.status();
      return out;
    }
    out.more = page->size() == kReplayPage;
    const ContentLinks* links = deps_.options.content_links;
    for (const auto& change : *page) {
      out.last_seq = change.seq;
      json::value body_data;
      if (change.op == ChangeOp::kCreate) {
        if (change.type == ObjectType::kConversation) {
          auto c = deps_.store.GetConversation(app, viewer, ConversationId(change.object_id));
          if (!c.ok()) continue;  // gone since, or no longer visible
          body_data = ConversationJson(*c, viewer, base, links);
        } else if (change.type == ObjectType::kMessage) {
          auto m = deps_.store.GetMessage(app, viewer, MessageId(change.object_id));
          if (!m.ok()) continue;
          body_data = MessageJson(*m, viewer, base, links);
        } else if (change.type == ObjectType::kAnnouncement) {
          auto a = deps_.store.GetAnnouncement(app, viewer, MessageId(change.object_id));
          if (!a.ok()) continue;
          body_data = AnnouncementJson(*a, viewer, base);
        } else {
          continue;
        }
      } else {
        boost::system::error_code ec;
        body_data = json::parse(change.data_json.empty() ? "null" : change.data_json, ec);
        if (ec) continue;
      }
      out.packets.emplace_back(ChangeBody(change, body_data, base), change.ts);
    }
    return out;
  }

  // Everything since `from_timestamp`, however much: a page at a time, each read once the
  // socket has drained the previous one, so memory stays bounded and nothing is cut off.
  asio::awaitable<void> Replay(std::string request_id, std::string method, json::object data) {
    std::optional<TimeMs> from;
    if (auto* ts = data.if_contains("from_timestamp"); ts && ts->is_string()) {
      from = ParseTime(ts->as_string());
    }
    if (!from) {
      Fail(request_id, method,
           InvalidProperty("from_timestamp", "from_timestamp must be an ISO 8601 time"));
      co_return;
    }
    int64_t after = 0;
    for (;;) {
      auto aw = RunBlocking(deps_.blocking, [this, from = *from, after, app = app(),
                                             viewer = user(), base = base_url_] {
        return ReadReplayPage(app, viewer, base, from, after);
      });
      ReplayPage page = co_await std::move(aw);
      if (closed_) co_return;
      if (!page.status.ok()) {
        Fail(request_id, method, page.status);
        co_return;
      }
      for (auto& [body, ts] : page.packets) {
        auto room = WaitForRoom(body.size());
        if (!co_await std::move(room)) co_return;
        Enqueue("change", body, ts);
      }
      if (!page.more) break;
      after = page.last_seq;
    }
    Respond(request_id, method, true, json::object());
  }

  // ---- typing indicators ---------------------------------------------------------------------

  asio::awaitable<void> HandleSignal([[maybe_unused]] std::shared_ptr<WsSession> self,
                                     json::object body) {
    auto* type = body.if_contains("type");
    if (!type || !type->is_string() || type->as_string() != "typing_indicator") co_return;
    auto* object = body.if_contains("object");
    auto* data = body.if_contains("data");
    if (!object || !object->is_object() || !data || !data->is_object()) co_return;
    auto* id = object->as_object().if_contains("id");
    auto* action = data->as_object().if_contains("action");
    if (!id || !id->is_string() || !action || !action->is_string()) co_return;
    std::string act(action->as_string());
    if (act != "started" && act != "paused" && act != "finished") co_return;
    auto cid = ParseConversationId(id->as_string());
    if (!cid) co_return;
    auto lookup = [this, app = app(), viewer = user(), cid = *cid] {
      return deps_.store.GetConversation(app, viewer, cid);
    };
    auto aw = RunBlocking(deps_.blocking, std::move(lookup));
    auto conversation = co_await std::move(aw);
    if (!conversation.ok()) co_return;  // not a participant: nothing is relayed
    std::string conversation_url = ConversationUrl(*cid);
    if (act == "finished")
      typing_.erase(conversation_url);
    else
      typing_.insert(conversation_url);
    RelayTyping(conversation_url, act, conversation->participants);
  }

  // Relays to the other participants (all of them when `participants` is empty and known
  // from an earlier signal is not possible: then only the typist's own conversation list).
  void RelayTyping(const std::string& conversation_url, const std::string& action,
                   const std::vector<Identity>& participants) {
    Identity me;
    me.user_id = user();
    std::vector<UserId> others;
    for (const auto& p : participants) {
      if (p.user_id == user())
        me = p;
      else
        others.push_back(p.user_id);
    }
    if (participants.empty()) {
      auto it = typing_participants_.find(conversation_url);
      if (it == typing_participants_.end()) return;
      others = it->second;
    } else {
      typing_participants_[conversation_url] = others;
    }
    json::object body;
    body["type"] = "typing_indicator";
    json::object object;
    object["id"] = conversation_url;
    body["object"] = std::move(object);
    json::object data;
    data["action"] = action;
    data["sender"] = BasicIdentityJson(me, base_url_);
    body["data"] = std::move(data);
    deps_.hub.Signal(app(), others, json::serialize(body), deps_.clock(), this);
  }

  const AppId& app() const { return caller_.session.app_id; }
  const UserId& user() const { return caller_.session.user_id; }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer wake_;     // the writer waits on it for packets
  asio::steady_timer drained_;  // a replay waits on it for room in the queue
  WsDeps& deps_;
  Request upgrade_;
  Caller caller_;
  std::string base_url_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  uint64_t counter_ = 0;
  bool closed_ = false;
  std::set<std::string> typing_;
  std::map<std::string, std::vector<UserId>> typing_participants_;
};

}  // namespace

void StartWsSession(tcp::socket socket, Request upgrade, WsDeps& deps) {
  auto session = std::make_shared<WsSession>(std::move(socket), std::move(upgrade), deps);
  session->Start();
}

}  // namespace relayer::server
