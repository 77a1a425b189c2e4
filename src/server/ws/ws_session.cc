#include "server/ws/ws_session.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cassert>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/json_text.h"
#include "core/representation.h"
#include "server/api/client_api_impl.h"
#include "server/api/errors.h"
#include "server/async.h"
#include "server/auth/crypto.h"
#include "server/ws/frames.h"
#include "server/ws/handshake.h"
#include "server/ws/packets.h"

namespace relayer::server {

namespace asio = boost::asio;
namespace json = boost::json;
using tcp = asio::ip::tcp;

bool IsWebSocketPath(std::string_view target) {
  auto path = target.substr(0, target.find('?'));
  return path == "/" || path == "" || path == "/websocket" || path == "/websocket/";
}

namespace {

// Changes one replay reads and renders at a time (bounds the memory of a large replay).
constexpr size_t kReplayPage = 500;
// Bytes read per read_some into the thread's buffer; a connection keeps none of its own.
constexpr size_t kReadChunk = 64 * 1024;
// Reads handled per readiness before the loop serves others (a fast sender cannot starve them).
constexpr int kReadsPerWake = 8;
// An outgoing buffer larger than this is released once written out (idle sockets stay small).
constexpr size_t kKeepOutBuffer = 16 * 1024;

class WsSession;

// Every socket the HTTP server hands over lives on one of the IoPool's io_contexts.
asio::io_context::executor_type ContextExecutor(tcp::socket& socket) {
  const auto* ex = socket.get_executor().target<asio::io_context::executor_type>();
  assert(ex != nullptr);
  return *ex;
}

// Pings and idle timeouts of one thread's connections: one timer per thread instead of one per
// connection. Every half idle timeout, a connection that sent nothing since the last tick gets a
// ping, and one that left the previous tick's ping unanswered is closed.
class IdleSweep {
 public:
  // The sweep of the calling thread (which runs `ctx`), created on first use.
  static IdleSweep& OfThisThread(asio::io_context& ctx, std::chrono::seconds idle_timeout);
  void Add(const std::shared_ptr<WsSession>& s);
  void Remove(WsSession* s) { sessions_.erase(s); }

 private:
  IdleSweep(asio::io_context& ctx, std::chrono::seconds period)
      : ctx_(ctx), timer_(ctx), period_(period) {}
  void Arm();

  asio::io_context& ctx_;
  asio::steady_timer timer_;
  std::chrono::seconds period_;
  bool armed_ = false;
  std::unordered_map<WsSession*, std::weak_ptr<WsSession>> sessions_;
};

// The transport is RFC 6455 of our own (ws/frames.h) straight over the socket: an idle
// connection waits for readability with no coroutine frame and no read buffer, reads drain into
// the thread's buffer, and every frame queued during one turn of the loop leaves in one write.
class WsSession : public PacketSink,
                  public ws::FrameReader::Handler,
                  public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket socket, Request upgrade, WsDeps& deps)
      : socket_(std::move(socket)),
        ex_(ContextExecutor(socket_)),
        reader_(deps.options.max_message_bytes),
        deps_(deps),
        upgrade_(std::move(upgrade)) {}

  void Start() { asio::co_spawn(ex_, Run(shared_from_this()), asio::detached); }

  void Send(std::string_view type, std::string_view body_json, TimeMs timestamp) override {
    if (ex_.running_in_this_thread()) return Enqueue(type, body_json, timestamp);
    asio::post(ex_,
               [self = shared_from_this(), type = std::string(type), body = std::string(body_json),
                timestamp] { self->Enqueue(type, body, timestamp); });
  }

  const std::string& base_url() const override { return base_url_; }

  // Called by this thread's IdleSweep every half idle timeout.
  void OnTick() {
    if (closed_) return;
    if (closing_) {
      if (++closing_ticks_ >= 2) Shutdown();  // the peer never finished the close handshake
      return;
    }
    if (heard_) {
      heard_ = false;
      ping_out_ = false;
      return;
    }
    if (ping_out_) {
      Shutdown();  // silent for a whole idle timeout
      return;
    }
    ping_out_ = true;
    ws::AppendFrame(out_, ws::Opcode::kPing, {});
    ScheduleFlush();
  }

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
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    // From here on the sweep closes the connection if it falls silent, refused ones included.
    IdleSweep::OfThisThread(ex_.context(), deps_.options.idle_timeout).Add(self);
    const ws::UpgradeCheck check = ws::CheckUpgrade(
        upgrade_.method_string(), upgrade_[http::field::upgrade], upgrade_[http::field::connection],
        upgrade_[http::field::sec_websocket_version], upgrade_[http::field::sec_websocket_key]);
    if (!check.ok) {
      RefuseUpgrade(check);
      co_return;
    }
    auto auth_aw = deps_.api.Authenticate(token);
    auto caller = co_await std::move(auth_aw);

    const bool wants_layer =
        std::string_view(upgrade_[http::field::sec_websocket_protocol]).find("layer-2.0") !=
        std::string_view::npos;
    out_ = ws::SwitchingProtocolsResponse(upgrade_[http::field::sec_websocket_key],
                                          wants_layer ? "layer-2.0" : "");
    upgrade_ = Request();  // not needed any more; keep idle connections small
    if (!caller.ok()) {
      // 4001, application range: the session token is not valid.
      CloseWith(4001, "authentication_required: " + caller.status().message());
      WaitRead();
      co_return;
    }
    caller_ = std::move(*caller);
    deps_.hub.Add(app(), user(), self);
    Flush();
    WaitRead();
  }

  // A request that is not a valid WebSocket upgrade gets an HTTP error and the connection ends.
  void RefuseUpgrade(const ws::UpgradeCheck& check) {
    Response res = ErrorResponse(Status(ErrorCode::kInvalidRequest, check.error));
    res.result(static_cast<http::status>(check.status));
    if (check.status == 426) res.set(http::field::sec_websocket_version, "13");
    res.keep_alive(false);
    res.prepare_payload();
    std::ostringstream text;
    text << res;
    out_ = text.str();
    closing_ = true;
    Flush();
    WaitRead();
  }

  void WaitRead() {
    if (closed_) return;
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](boost::system::error_code ec) {
                         if (ec) return self->Shutdown();
                         self->OnReadable();
                       });
  }

  void OnReadable() {
    thread_local std::unique_ptr<char[]> buffer(new char[kReadChunk]);
    for (int i = 0; i < kReadsPerWake && !closed_; ++i) {
      boost::system::error_code ec;
      const size_t n = socket_.read_some(asio::buffer(buffer.get(), kReadChunk), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) break;
      if (ec) return Shutdown();  // EOF or reset
      heard_ = true;
      if (const uint16_t code = reader_.Feed(std::string_view(buffer.get(), n), *this)) {
        CloseWith(code, reader_.error());
      }
      if (n < kReadChunk) break;
    }
    WaitRead();
  }

  // ws::FrameReader::Handler
  void OnMessage(std::string_view payload, bool) override {
    if (!closing_) HandlePacket(payload);
  }
  void OnPing(std::string_view payload) override {
    if (closing_) return;
    ws::AppendFrame(out_, ws::Opcode::kPong, payload);
    ScheduleFlush();
  }
  void OnPong(std::string_view) override {}
  void OnClose(uint16_t code, std::string_view) override {
    // Echo the peer's code, then end the connection once it is written.
    CloseWith(code == ws::kCloseNoStatus ? 0 : code, {});
  }

  // Sends a close frame after what is queued; the socket closes when the peer answers it (or at
  // the second idle tick).
  void CloseWith(uint16_t code, std::string_view reason) {
    if (closing_ || closed_) return;
    closing_ = true;
    ws::AppendClose(out_, code, reason);
    ScheduleFlush();
  }

  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    if (!caller_.session.user_id.empty()) deps_.hub.Remove(app(), user(), this);
    IdleSweep::OfThisThread(ex_.context(), deps_.options.idle_timeout).Remove(this);
    if (drained_) drained_->cancel();
    // Others must not see this user typing forever.
    for (const auto& conversation : typing_) RelayTyping(conversation, "finished", {});
    typing_.clear();
    boost::system::error_code ec;
    socket_.close(ec);
  }

  // ---- outgoing frames -------------------------------------------------------------------------

  size_t queued_bytes() const { return out_.size() - out_sent_; }

  void Enqueue(std::string_view type, std::string_view body, TimeMs timestamp) {
    if (closed_ || closing_) return;
    if (queued_bytes() + body.size() > deps_.options.max_queued_bytes ||
        out_packets_ + 1 > deps_.options.max_queued_packets) {
      spdlog::warn("closing the connection of {}: it does not read ({} packets, {} bytes queued)",
                   user().str(), out_packets_, queued_bytes());
      Shutdown();
      return;
    }
    AppendPacketFrame(out_, type, counter_++, timestamp, body);
    ++out_packets_;
    ScheduleFlush();
  }

  // Frames queued during this turn of the loop leave together, in one write.
  void ScheduleFlush() {
    if (flush_posted_ || write_waiting_ || closed_) return;
    flush_posted_ = true;
    asio::post(ex_, [self = shared_from_this()] {
      self->flush_posted_ = false;
      self->Flush();
    });
  }

  void Flush() {
    while (!closed_ && out_sent_ < out_.size()) {
      boost::system::error_code ec;
      const size_t n =
          socket_.write_some(asio::buffer(out_.data() + out_sent_, out_.size() - out_sent_), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        CountSentPackets();
        if (out_counted_ > kKeepOutBuffer) {  // keep only what is not wholly sent
          out_.erase(0, out_counted_);
          out_sent_ -= out_counted_;
          out_counted_ = 0;
        }
        write_waiting_ = true;
        socket_.async_wait(tcp::socket::wait_write,
                           [self = shared_from_this()](boost::system::error_code ec) {
                             self->write_waiting_ = false;
                             if (ec) return self->Shutdown();
                             self->Flush();
                           });
        return;
      }
      if (ec) return Shutdown();
      out_sent_ += n;
    }
    if (closed_) return;
    out_.clear();
    out_sent_ = 0;
    out_counted_ = 0;
    out_packets_ = 0;
    if (out_.capacity() > kKeepOutBuffer) std::string().swap(out_);
    if (drained_) drained_->cancel();
    if (closing_ && !half_closed_) {
      // Our close frame is out: FIN, then read until the peer closes too.
      half_closed_ = true;
      boost::system::error_code ec;
      socket_.shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  // After a partial write: the packets wholly sent no longer count against the bound. Walks the
  // headers of the frames sent since the last call (only a slow reader ever gets here).
  void CountSentPackets() {
    while (out_counted_ < out_sent_) {
      ws::Opcode op;
      const size_t size = ws::ServerFrameSize(std::string_view(out_).substr(out_counted_), op);
      if (size == 0 || out_counted_ + size > out_sent_) break;
      out_counted_ += size;
      if (op == ws::Opcode::kText) --out_packets_;
    }
  }

  // Waits until `bytes` (one packet) more fit in half of both outgoing bounds; false once closed.
  asio::awaitable<bool> WaitForRoom(size_t bytes) {
    boost::system::error_code ec;
    while (!closed_ && queued_bytes() > 0 &&
           (queued_bytes() + bytes > deps_.options.max_queued_bytes / 2 ||
            out_packets_ + 1 > deps_.options.max_queued_packets / 2)) {
      if (!drained_) drained_ = std::make_unique<asio::steady_timer>(ex_);
      drained_->expires_after(std::chrono::seconds(1));
      co_await drained_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return !closed_;
  }

  // ---- incoming packets ------------------------------------------------------------------------

  void HandlePacket(std::string_view text) {
    // Parsed into this thread's arena, released whole when the packet is handled: no allocation
    // per JSON node. Nothing parsed outlives this call but what is copied out of it.
    json::monotonic_resource arena(PacketArena().data(), PacketArena().size());
    boost::system::error_code ec;
    json::value v = json::parse(text, ec, json::storage_ptr(&arena));
    if (ec || !v.is_object()) {
      spdlog::debug("ignoring a malformed packet from {}", user().str());
      return;
    }
    auto& packet = v.as_object();
    auto* type = packet.if_contains("type");
    auto* body = packet.if_contains("body");
    if (!type || !type->is_string() || !body || !body->is_object()) return;
    if (type->as_string() == "request") {
      const json::object& request = body->as_object();
      if (auto* m = request.if_contains("method");
          m && m->is_string() && m->as_string() == "Message.create") {
        StartMessageCreate(request);
        return;
      }
      asio::co_spawn(ex_, HandleRequest(shared_from_this(), json::object(request, {})),
                     asio::detached);
    } else if (type->as_string() == "signal") {
      asio::co_spawn(ex_, HandleSignal(shared_from_this(), json::object(body->as_object(), {})),
                     asio::detached);
    }
  }

  static std::array<unsigned char, 16 * 1024>& PacketArena() {
    thread_local std::array<unsigned char, 16 * 1024> arena;
    return arena;
  }

  void Respond(const std::string& request_id, const std::string& method, bool success,
               const json::value& data) {
    RespondText(request_id, method, success, json::serialize(data));
  }

  // A response around `data_json`, JSON text already rendered (spliced, not parsed again).
  void RespondText(const std::string& request_id, const std::string& method, bool success,
                   std::string_view data_json) {
    std::string body;
    body.reserve(data_json.size() + request_id.size() + method.size() + 64);
    body += R"({"request_id":)";
    AppendJsonString(body, request_id);
    body += R"(,"method":)";
    AppendJsonString(body, method);
    body += success ? R"(,"success":true,"data":)" : R"(,"success":false,"data":)";
    body += data_json;
    body += '}';
    Enqueue("response", body, deps_.clock());
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
    if (auto* d = body.if_contains("data"); d && d->is_object()) data = std::move(d->as_object());
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
    op.now = deps_.clock();
    op.generated_id = ConversationId(TimeOrderedUuid(op.now));
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

  // Message.create, read straight from the parsed packet (in the arena): the op is built and
  // checked here, and only the write waits in a coroutine.
  void StartMessageCreate(const json::object& request) {
    std::string request_id;
    if (auto* r = request.if_contains("request_id"); r && r->is_string()) {
      request_id = r->as_string();
    }
    const std::string method = "Message.create";
    std::string_view object_id;
    if (auto* o = request.if_contains("object_id"); o && o->is_string()) object_id = o->as_string();
    auto cid = ParseConversationId(object_id);
    if (!cid) {
      Fail(request_id, method, NotFound("No conversation '" + std::string(object_id) + "'"));
      return;
    }
    static const json::object kNoData;
    const json::value* d = request.if_contains("data");
    CreateMessageOp op;
    if (auto s =
            ParseMessageCreate(d && d->is_object() ? d->as_object() : kNoData, deps_.limits, op);
        !s.ok()) {
      Fail(request_id, method, s);
      return;
    }
    if (op.notification) {  // out of the arena, into storage of its own
      json::object owned(*op.notification, json::storage_ptr());
      op.notification.reset();
      op.notification.emplace(std::move(owned));
    }
    op.app_id = app();
    op.conversation_id = *cid;
    op.sender.user_id = user();
    op.now = deps_.clock();
    op.generated_id = MessageId(TimeOrderedUuid(op.now));
    asio::co_spawn(ex_, CreateMessage(shared_from_this(), std::move(request_id), std::move(op)),
                   asio::detached);
  }

  asio::awaitable<void> CreateMessage([[maybe_unused]] std::shared_ptr<WsSession> self,
                                      std::string request_id, CreateMessageOp op) {
    const std::string method = "Message.create";
    auto aw = Write(deps_.store, std::move(op));
    auto r = co_await std::move(aw);
    if (!r.status.ok()) {
      Fail(request_id, method, r.status);
      co_return;
    }
    if (auto s = CreateOutcomeStatus(r.outcome, "message"); !s.ok()) {
      json::value msg =
          r.message
              ? json::value(MessageJson(*r.message, user(), base_url_, deps_.options.content_links))
              : json::value(nullptr);
      Fail(request_id, method, s, std::move(msg));
    } else if (r.message) {
      std::string text;
      AppendMessageJson(text, *r.message, IsUnreadFor(*r.message, user()), base_url_,
                        deps_.options.content_links);
      RespondText(request_id, method, true, text);
    } else {
      Respond(request_id, method, true, nullptr);
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
      std::string data;
      if (change.op == ChangeOp::kCreate) {
        if (change.type == ObjectType::kConversation) {
          auto c = deps_.store.GetConversation(app, viewer, ConversationId(change.object_id));
          if (!c.ok()) continue;  // gone since, or no longer visible
          data = json::serialize(ConversationJson(*c, viewer, base, links));
        } else if (change.type == ObjectType::kMessage) {
          auto m = deps_.store.GetMessage(app, viewer, MessageId(change.object_id));
          if (!m.ok()) continue;
          AppendMessageJson(data, *m, IsUnreadFor(*m, viewer), base, links);
        } else if (change.type == ObjectType::kAnnouncement) {
          auto a = deps_.store.GetAnnouncement(app, viewer, MessageId(change.object_id));
          if (!a.ok()) continue;
          data = json::serialize(AnnouncementJson(*a, viewer, base));
        } else {
          continue;
        }
      } else {
        // Read back from the store: checked to be JSON before it goes into a packet.
        if (!ChangeDataIsJson(change)) continue;
        data = ChangeDataJson(change);
      }
      out.packets.emplace_back(ChangeBody(change, data, base), change.ts);
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

  tcp::socket socket_;
  asio::io_context::executor_type ex_;
  ws::FrameReader reader_;
  std::string out_;  // frames not yet written, from out_sent_ on
  size_t out_sent_ = 0;
  size_t out_counted_ = 0;  // the frames before this offset are wholly sent and counted out
  size_t out_packets_ = 0;  // packets not wholly sent (the bound on a client that does not read)
  bool flush_posted_ = false;
  bool write_waiting_ = false;
  bool heard_ = true;  // data arrived since the last idle tick
  bool ping_out_ = false;
  bool closing_ = false;  // a close frame is queued: nothing else is sent
  bool half_closed_ = false;
  int closing_ticks_ = 0;
  bool closed_ = false;
  std::unique_ptr<asio::steady_timer> drained_;  // a replay waits on it for room in the queue
  WsDeps& deps_;
  Request upgrade_;
  Caller caller_;
  std::string base_url_;
  uint64_t counter_ = 0;
  std::set<std::string> typing_;
  std::map<std::string, std::vector<UserId>> typing_participants_;
};

IdleSweep& IdleSweep::OfThisThread(asio::io_context& ctx, std::chrono::seconds idle_timeout) {
  thread_local std::unique_ptr<IdleSweep> sweep;
  if (!sweep || &sweep->ctx_ != &ctx) {
    sweep.reset(new IdleSweep(
        ctx, std::max<std::chrono::seconds>(idle_timeout / 2, std::chrono::seconds(1))));
  }
  return *sweep;
}

void IdleSweep::Add(const std::shared_ptr<WsSession>& s) {
  sessions_.emplace(s.get(), s);
  if (!armed_) Arm();
}

void IdleSweep::Arm() {
  armed_ = true;
  timer_.expires_after(period_);
  timer_.async_wait([this](boost::system::error_code ec) {
    armed_ = false;
    if (ec) return;
    std::vector<std::shared_ptr<WsSession>> live;
    live.reserve(sessions_.size());
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (auto s = it->second.lock()) {
        live.push_back(std::move(s));
        ++it;
      } else {
        it = sessions_.erase(it);
      }
    }
    for (auto& s : live) s->OnTick();  // may Remove itself
    if (!sessions_.empty()) Arm();
  });
}

}  // namespace

void StartWsSession(tcp::socket socket, Request upgrade, WsDeps& deps) {
  auto session = std::make_shared<WsSession>(std::move(socket), std::move(upgrade), deps);
  session->Start();
}

}  // namespace relayer::server
