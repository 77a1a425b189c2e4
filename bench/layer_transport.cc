// ChatTransport over Relayer's Client API, as the Web SDK uses it: REST to log in, create
// conversations and post receipts; one layer-2.0 WebSocket per user for Message.create and the
// change packets. With `relay`, the same packets against bench/relay, which stores nothing and
// needs no login.
//
// The bench must cost far less than the server it measures, so the per-message path is its own:
// RFC 6455 over a raw socket (ws_frames.h) instead of Beast's stream, frames queued for one socket
// during a loop turn leaving in one non-blocking write, each read handing every complete frame in
// it to a one-pass packet scanner (layer_scan.h), sequence numbers and message ids in tables that
// do not allocate per message, and receipt POSTs pre-formatted on a raw kept-alive connection.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <deque>
#include <unordered_map>

#include "async_util.h"
#include "chat_transport.h"
#include "http_client.h"
#include "http_wire.h"
#include "layer_packets.h"
#include "layer_scan.h"
#include "login.h"
#include "report.h"
#include "users.h"
#include "ws_frames.h"
#include "xmpp_text.h"

namespace relayer::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kIdentityPrefix = "layer:///identities/";
constexpr std::string_view kStatusPrefix = "recipient_status.";
constexpr std::string_view kProtocol = "layer-2.0";
constexpr size_t kReadSize = 4096;          // per socket; grows to hold a bigger frame
constexpr uint64_t kMaxMessage = 16 << 20;  // as Beast's default read_message_max
constexpr size_t kMaxResponseHead = 64 * 1024;
constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
constexpr auto kReceiptTimeout = std::chrono::seconds(30);  // as HttpClient's per request

struct PendingReceipt {
  uint64_t seq;
  ReceiptKind kind;
};

// One kept-alive HTTP/1.1 connection per user for its receipts, as each browser has: one request
// at a time, in order, never retried; after a failure or the server's close the next receipt
// connects again.
struct ReceiptConn {
  explicit ReceiptConn(asio::any_io_executor ex) : socket(std::move(ex)) {}
  tcp::socket socket;
  bool connected = false;
  std::string request;  // the request in flight, formatted in one piece
  std::string in;       // response bytes (its size is the read buffer)
  std::string chunked;  // a chunked body, decoded
  unsigned status = 0;  // of the last answer; 0 when the exchange failed before one
  bool busy = false;    // a request is in flight, since `started`
  bool timed_out = false;
  Clock::time_point started;
};

struct User {
  User(size_t index, const asio::any_io_executor& ex, asio::ip::address local)
      : index(index), socket(ex), receipts(ex), local(local) {}
  size_t index;  // in ChatSetup::users
  tcp::socket socket;
  // Writing: frames queued and not yet taken by the kernel. They leave in one write per loop
  // turn, or once the socket is writable again.
  std::string out;
  bool flush_queued = false;      // in the transport's list of sockets to flush
  bool waiting_writable = false;  // an async_wait(wait_write) in flight
  // Reading: in[0, have) is what was read and not yet consumed (an incomplete frame).
  std::string in;
  size_t have = 0;
  std::string message;  // a fragmented message's pieces so far
  bool fragmented = false;
  bool open = false;
  bool stalled = false;  // stops reading (the next read is dropped), stays open
  bool handshaking = false, handshake_timed_out = false;
  ReceiptConn receipts;
  std::deque<PendingReceipt> receipt_queue;
  bool posting = false;
  asio::ip::address local;
  std::string token;
  std::string receipt_prefix;  // "POST /messages/"
  std::string receipt_suffix;  // "/receipts HTTP/1.1\r\n...Content-Length: "
};

// Lookups by std::string_view in maps keyed by std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

class LayerTransport final : public ChatTransport {
 public:
  LayerTransport(asio::any_io_executor ex, const std::vector<Target>& targets, std::string data_dir,
                 bool relay, ChatEvents* events)
      : ex_(std::move(ex)),
        targets_(targets),
        target_(targets.at(0)),
        data_dir_(std::move(data_dir)),
        relay_(relay),
        events_(events),
        watchdog_(ex_) {}

  asio::awaitable<std::string> Setup(const ChatSetup* setup) override {
    setup_ = setup;
    SourceAddresses sources(setup->source_addresses, 2 * setup->users.size());
    for (size_t i = 0; i < setup->users.size(); ++i) {
      users_.push_back(std::make_unique<User>(i, ex_, sources.Next()));
      index_of_.emplace(setup->users[i], i);
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
    for (const auto& id : conversations_) AppendJsonString(conversations_json_.emplace_back(), id);
    for (auto& u : users_) FormatReceiptHeaders(*u);
    auto open_aw = ForEach<LayerTransport>(this, &OpenOne, users_.size(), 64);
    co_await std::move(open_aw);
    if (open_failed_) {
      co_return std::to_string(open_failed_) +
          " WebSockets could not be opened; first: " + first_error_;
    }
    auto watchdog = Watchdog(this);
    asio::co_spawn(ex_, std::move(watchdog), asio::detached);
    Progress("[setup] " + std::to_string(users_.size()) + " WebSockets open");
    co_return "";
  }

  void Send(size_t conversation, size_t from, uint64_t seq, std::string_view body) override {
    User& u = *users_[from];
    if (!u.open) return;
    packet_.clear();
    AppendBenchMessageCreate(packet_, seq, conversations_json_[conversation], body);
    AppendClientFrame(u.out, WsOpcode::kText, packet_, NextMask());
    ScheduleFlush(u);
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
    watchdog_.cancel();
    for (auto& u : users_) {
      boost::system::error_code ignored;
      u->socket.close(ignored);
      CloseReceipts(u->receipts);
    }
  }

 private:
  const Target& NodeOf(size_t user) const { return targets_[user % targets_.size()]; }

  // Client frames must be masked; any key will do, so a cheap xorshift draws them.
  uint32_t NextMask() {
    mask_state_ ^= mask_state_ << 13;
    mask_state_ ^= mask_state_ >> 17;
    mask_state_ ^= mask_state_ << 5;
    return mask_state_;
  }

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

  // ---- opening: TCP connect and the HTTP upgrade, by hand --------------------------------------

  static asio::awaitable<void> OpenOne(LayerTransport* t, size_t worker, size_t index) {
    (void)worker;
    User* u = t->users_[index].get();
    auto aw = t->Handshake(u);
    const std::string error = co_await std::move(aw);
    if (!error.empty()) {
      if (t->open_failed_++ == 0) t->first_error_ = t->setup_->users[index] + ": " + error;
      co_return;
    }
    u->open = true;
    if (t->ConsumeFrames(*u)) t->StartRead(*u);  // frames that came with the 101, then reads
  }

  // Connects from the user's source address and upgrades (GET /?session_token=TOKEN, subprotocol
  // layer-2.0, checked with the accept key); "" when the socket is open. Bytes after the 101 stay
  // in the user's read buffer.
  asio::awaitable<std::string> Handshake(User* u) {
    const Target& target = NodeOf(u->index);
    u->handshaking = true;
    asio::steady_timer timer(ex_);
    timer.expires_after(kHandshakeTimeout);
    timer.async_wait([u](const boost::system::error_code& ec) {
      if (ec || !u->handshaking) return;
      u->handshake_timed_out = true;
      boost::system::error_code ignored;
      u->socket.close(ignored);
    });
    auto steps_aw = HandshakeSteps(u, &target);
    std::string error = co_await std::move(steps_aw);
    u->handshaking = false;
    timer.cancel();
    if (u->handshake_timed_out) error = "the WebSocket handshake timed out";
    if (!error.empty()) {
      boost::system::error_code ignored;
      u->socket.close(ignored);
    }
    co_return error;
  }

  asio::awaitable<std::string> HandshakeSteps(User* u, const Target* target) {
    auto connect_aw = Connect(u->socket, target->endpoint, u->local);
    boost::system::error_code ec = co_await std::move(connect_aw);
    if (ec) co_return ec.message();
    const std::string key = WsKey(0x9E3779B97F4A7C15ull * (u->index + 1));
    std::string request;
    AppendUpgradeRequest(request, target->host, "/?session_token=" + u->token, key, kProtocol);
    auto write_aw = asio::async_write(u->socket, asio::buffer(request),
                                      asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(write_aw);
    if (ec) co_return ec.message();
    u->in.resize(kReadSize);
    u->have = 0;
    HttpResponseHead head;
    for (;;) {
      if (u->have == u->in.size()) {
        if (u->in.size() >= kMaxResponseHead) co_return "an upgrade response head over 64 KB";
        u->in.resize(2 * u->in.size());
      }
      auto read_aw =
          u->socket.async_read_some(asio::buffer(u->in.data() + u->have, u->in.size() - u->have),
                                    asio::redirect_error(asio::use_awaitable, ec));
      const size_t n = co_await std::move(read_aw);
      if (ec) co_return "reading the upgrade response: " + ec.message();
      u->have += n;
      const HttpParse parsed = ParseResponseHead(std::string_view(u->in.data(), u->have), head);
      if (parsed == HttpParse::kError) co_return "a malformed upgrade response";
      if (parsed == HttpParse::kDone) break;
    }
    std::string error =
        CheckUpgradeResponse(std::string_view(u->in.data(), head.size), key, kProtocol);
    if (!error.empty()) co_return error;
    std::memmove(u->in.data(), u->in.data() + head.size, u->have - head.size);
    u->have -= head.size;
    u->socket.non_blocking(true, ec);  // Flush writes with non-blocking write_some
    if (ec) co_return ec.message();
    co_return "";
  }

  // ---- reading: each read hands every complete frame to the packet handler ---------------------

  void StartRead(User& u) {
    u.socket.async_read_some(
        asio::buffer(u.in.data() + u.have, u.in.size() - u.have),
        [this, &u](const boost::system::error_code& ec, size_t n) { OnRead(u, ec, n); });
  }

  void OnRead(User& u, const boost::system::error_code& ec, size_t n) {
    if (!u.open) return;
    if (ec) return MarkClosed(u.index, "read: " + ec.message());
    if (u.stalled) return;  // stays open, never read again
    u.have += n;
    if (ConsumeFrames(u)) StartRead(u);
  }

  // Handles the complete frames in u.in and keeps the incomplete rest at its start (the buffer
  // grows when a frame needs more room). False when the connection closed or stopped reading.
  bool ConsumeFrames(User& u) {
    size_t pos = 0, need = 0;
    for (;;) {
      if (u.stalled) return false;
      WsFrame frame;
      size_t size = 0;
      const char* error = "";
      const WsParse parsed = ParseServerFrame(std::string_view(u.in.data() + pos, u.have - pos),
                                              kMaxMessage, frame, size, error);
      if (parsed == WsParse::kIncomplete) {
        need = size;
        break;
      }
      if (parsed == WsParse::kError) {
        Fail(u, 1002, std::string("read: ") + error);
        return false;
      }
      pos += size;
      if (!OnFrame(u, frame)) return false;
    }
    if (pos > 0) {
      std::memmove(u.in.data(), u.in.data() + pos, u.have - pos);
      u.have -= pos;
    }
    if (need > u.in.size()) u.in.resize(need);
    if (u.have == u.in.size()) u.in.resize(2 * u.in.size());  // a header that does not fit yet
    return true;
  }

  bool OnFrame(User& u, const WsFrame& frame) {
    switch (frame.opcode) {
      case WsOpcode::kText:
      case WsOpcode::kBinary:
        if (u.fragmented) return Fail(u, 1002, "read: a new message inside a fragmented one");
        if (frame.fin) {
          OnPacket(u.index, frame.payload);
        } else {
          u.fragmented = true;
          u.message.assign(frame.payload);
        }
        return true;
      case WsOpcode::kContinuation:
        if (!u.fragmented) return Fail(u, 1002, "read: a continuation frame out of a message");
        if (u.message.size() + frame.payload.size() > kMaxMessage)
          return Fail(u, 1009, "read: a message over the size limit");
        u.message.append(frame.payload);
        if (frame.fin) {
          u.fragmented = false;
          OnPacket(u.index, u.message);
          std::string().swap(u.message);
        }
        return true;
      case WsOpcode::kPing:
        AppendClientFrame(u.out, WsOpcode::kPong, frame.payload, NextMask());
        ScheduleFlush(u);
        return true;
      case WsOpcode::kPong:
        return true;
      case WsOpcode::kClose: {
        // Answered with the same code, as Beast does; reported as Beast reported it (code 0 for
        // a close frame without one).
        uint16_t code = 0;
        std::string_view reason;
        if (frame.payload.size() >= 2) {
          code = static_cast<uint16_t>(static_cast<uint8_t>(frame.payload[0]) << 8 |
                                       static_cast<uint8_t>(frame.payload[1]));
          reason = frame.payload.substr(2);
        }
        const std::string why =
            "closed by server: " + std::to_string(code) + " " + std::string(reason);
        AppendClientClose(u.out, code, NextMask());
        Flush(u);
        MarkClosed(u.index, why);
        return false;
      }
    }
    return true;
  }

  // Sends a close frame with `code` (best effort) and reports the connection closed.
  bool Fail(User& u, uint16_t code, const std::string& why) {
    AppendClientClose(u.out, code, NextMask());
    Flush(u);
    MarkClosed(u.index, why);
    return false;
  }

  void MarkClosed(size_t index, const std::string& why) {
    User& u = *users_[index];
    if (!u.open) return;
    u.open = false;
    u.out.clear();
    boost::system::error_code ignored;
    u.socket.close(ignored);
    if (!closing_) events_->OnClosed(index, why);
  }

  // ---- writing: what a loop turn queued for a socket leaves in one write -----------------------

  void ScheduleFlush(User& u) {
    if (u.flush_queued || u.waiting_writable) return;
    u.flush_queued = true;
    dirty_.push_back(&u);
    if (flush_posted_) return;
    flush_posted_ = true;
    asio::post(ex_, [this] { FlushDirty(); });
  }

  void FlushDirty() {
    flush_posted_ = false;
    flushing_.swap(dirty_);
    for (User* u : flushing_) {
      u->flush_queued = false;
      Flush(*u);
    }
    flushing_.clear();
  }

  void Flush(User& u) {
    if (!u.open) return u.out.clear();
    size_t done = 0;
    while (done < u.out.size()) {
      boost::system::error_code ec;
      const size_t n =
          u.socket.write_some(asio::buffer(u.out.data() + done, u.out.size() - done), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        u.out.erase(0, done);
        u.waiting_writable = true;
        u.socket.async_wait(tcp::socket::wait_write,
                            [this, &u](const boost::system::error_code& wait_ec) {
                              u.waiting_writable = false;
                              if (wait_ec)
                                return MarkClosed(u.index, "write: " + wait_ec.message());
                              Flush(u);
                            });
        return;
      }
      if (ec) return MarkClosed(u.index, "write: " + ec.message());
      done += n;
    }
    u.out.clear();
  }

  // ---- packets ---------------------------------------------------------------------------------

  void OnPacket(size_t index, std::string_view text) {
    if (!ScanLayerPacket(text, scan_, scratch_))
      return events_->OnTransportError(index, "unparsable packet");
    if (scan_.type == "response") {
      OnResponse(index);
    } else if (scan_.type == "change" && scan_.object_type == "Message") {
      if (scan_.operation == "create") OnMessageCreated(index);
      if (scan_.operation == "update") OnMessageUpdated(index);
    }
  }

  void OnResponse(size_t index) {
    const std::string_view request_id = scan_.request_id;
    if (request_id.size() < 2 || request_id[0] != 's') return;
    const uint64_t seq = LeadingNumber(request_id.substr(1));
    if (scan_.success != 1) {
      const std::string_view message = scan_.error_message;
      events_->OnAck(index, seq, false, message.empty() ? "error response" : message);
      return;
    }
    ids_.Remember(seq, scan_.data_id);
    events_->OnAck(index, seq, true, "");
  }

  void OnMessageCreated(size_t index) {
    if (scan_.sender_user_id == setup_->users[index]) return;
    const std::string_view body = scan_.first_part_body;
    const int64_t seq = SeqOf(body);
    if (seq < 0) return;
    ids_.Remember(static_cast<uint64_t>(seq), scan_.data_id);
    events_->OnMessage(index, static_cast<uint64_t>(seq), body);
  }

  // recipient_status patches: [{operation: set, property: "recipient_status.<id>", value}].
  void OnMessageUpdated(size_t index) {
    uint64_t seq = 0;
    if (!ids_.SeqOf(scan_.object_id, seq)) return;
    for (const LayerPatch& op : scan_.patches) {
      std::string_view property = op.property;
      if (property.rfind(kStatusPrefix, 0) != 0) continue;
      property.remove_prefix(kStatusPrefix.size());
      if (property.rfind(kIdentityPrefix, 0) != 0) continue;
      property.remove_prefix(kIdentityPrefix.size());
      user_.clear();  // dots are escaped in patch paths
      for (size_t i = 0; i < property.size(); ++i) {
        if (property[i] == '\\' && i + 1 < property.size()) ++i;
        user_.push_back(property[i]);
      }
      auto by = index_of_.find(std::string_view(user_));
      if (by == index_of_.end()) continue;
      if (op.value == "delivered")
        events_->OnReceipt(index, seq, by->second, ReceiptKind::kDelivered);
      if (op.value == "read") events_->OnReceipt(index, seq, by->second, ReceiptKind::kRead);
    }
  }

  // ---- receipts: POST /messages/UUID/receipts, one at a time per user, in order ----------------

  void FormatReceiptHeaders(User& u) {
    u.receipt_prefix = "POST /messages/";
    u.receipt_suffix = "/receipts HTTP/1.1\r\nHost: ";
    u.receipt_suffix += NodeOf(u.index).host;
    u.receipt_suffix += "\r\nAccept: application/vnd.layer+json; version=2.0\r\n";
    if (!u.token.empty()) {
      u.receipt_suffix += "Authorization: Layer session-token=\"" + u.token + "\"\r\n";
    }
    u.receipt_suffix += "Content-Type: application/json\r\nContent-Length: ";
  }

  static asio::awaitable<void> PostReceipts(LayerTransport* t, size_t index) {
    User* u = t->users_[index].get();
    while (!u->receipt_queue.empty() && !t->closing_) {
      const PendingReceipt r = u->receipt_queue.front();
      u->receipt_queue.pop_front();
      const std::string_view id = t->ids_.IdOf(r.seq);
      if (id.empty()) {
        t->events_->OnTransportError(index, "receipt for a message id never seen");
        continue;
      }
      std::string& req = u->receipts.request;
      req.clear();
      req += u->receipt_prefix;
      const size_t slash = id.rfind('/');  // layer:///messages/UUID → UUID
      req += slash == std::string_view::npos ? id : id.substr(slash + 1);
      req += u->receipt_suffix;
      const std::string_view body =
          r.kind == ReceiptKind::kRead ? R"({"type":"read"})" : R"({"type":"delivery"})";
      AppendUint(req, body.size());
      req += "\r\n\r\n";
      req += body;
      auto aw = t->PostOne(u);
      const std::string error = co_await std::move(aw);
      if (!error.empty()) t->events_->OnTransportError(index, "receipt: " + error);
    }
    u->posting = false;
  }

  // Sends u->receipts.request and reads the answer: "" for a 2xx, else what HttpResult::Describe
  // says ("422: {...}", "Connection refused").
  asio::awaitable<std::string> PostOne(User* u) {
    ReceiptConn& c = u->receipts;
    c.busy = true;
    c.timed_out = false;
    c.started = Clock::now();
    auto aw = Exchange(u);
    std::string error = co_await std::move(aw);
    c.busy = false;
    if (c.timed_out) error = "timed out";
    co_return error;
  }

  // Transport failures (and a malformed answer) close the connection, as in HttpClient; an error
  // status keeps it.
  asio::awaitable<std::string> Exchange(User* u) {
    ReceiptConn& c = u->receipts;
    auto aw = ExchangeSteps(u);
    std::string error = co_await std::move(aw);
    if (!error.empty() && !c.status) CloseReceipts(c);
    co_return error;
  }

  asio::awaitable<std::string> ExchangeSteps(User* u) {
    ReceiptConn& c = u->receipts;
    c.status = 0;
    boost::system::error_code ec;
    if (!c.connected) {
      auto connect_aw = Connect(c.socket, NodeOf(u->index).endpoint, u->local);
      ec = co_await std::move(connect_aw);
      if (ec) co_return ec.message();
      c.connected = true;
      if (c.in.size() < kReadSize) c.in.resize(kReadSize);
    }
    auto write_aw = asio::async_write(c.socket, asio::buffer(c.request),
                                      asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(write_aw);
    if (ec) co_return ec.message();
    HttpResponseHead head;
    bool have_head = false;
    bool until_close = false;  // no Content-Length, not chunked: the body ends with the connection
    size_t have = 0, total = 0;
    std::string_view body;
    for (;;) {
      const std::string_view data(c.in.data(), have);
      if (!have_head) {
        const HttpParse parsed = ParseResponseHead(data, head);
        if (parsed == HttpParse::kError) co_return "a malformed response";
        have_head = parsed == HttpParse::kDone;
        until_close = have_head && !head.NoBody() && !head.chunked && head.content_length < 0;
      }
      if (have_head && !until_close) {
        if (head.NoBody()) {
          total = head.size;
        } else if (head.chunked) {
          c.chunked.clear();
          size_t size = 0;
          const HttpParse parsed = ParseChunkedBody(data.substr(head.size), c.chunked, size);
          if (parsed == HttpParse::kError) co_return "a malformed chunked body";
          if (parsed == HttpParse::kDone) total = head.size + size;
        } else if (have - head.size >= static_cast<uint64_t>(head.content_length)) {
          total = head.size + static_cast<size_t>(head.content_length);
        }
        if (total) {
          body = head.chunked ? std::string_view(c.chunked)
                              : data.substr(head.size, total - head.size);
          break;
        }
      }
      if (have == c.in.size()) c.in.resize(2 * c.in.size());
      auto read_aw = c.socket.async_read_some(asio::buffer(c.in.data() + have, c.in.size() - have),
                                              asio::redirect_error(asio::use_awaitable, ec));
      const size_t n = co_await std::move(read_aw);
      if (ec == asio::error::eof && until_close) {
        body = std::string_view(c.in.data(), have).substr(head.size);
        head.keep_alive = false;
        break;
      }
      if (ec) co_return ec.message();
      have += n;
    }
    // A server's extra bytes after the response would be a protocol error; they are dropped.
    c.status = head.status;
    std::string error;
    if (head.status < 200 || head.status >= 300) {
      error = std::to_string(head.status);
      if (!body.empty()) error += ": " + std::string(body.substr(0, 300));
    }
    if (!head.keep_alive) CloseReceipts(c);
    co_return error;
  }

  void CloseReceipts(ReceiptConn& c) {
    boost::system::error_code ignored;
    if (c.connected) c.socket.shutdown(tcp::socket::shutdown_both, ignored);
    c.socket.close(ignored);
    c.connected = false;
  }

  // Bounds each receipt request (connect included) as HttpClient's 30 s timeout did.
  static asio::awaitable<void> Watchdog(LayerTransport* t) {
    while (!t->closing_) {
      t->watchdog_.expires_after(std::chrono::seconds(1));
      boost::system::error_code ec;
      auto aw = t->watchdog_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      co_await std::move(aw);
      if (t->closing_) break;
      const auto now = Clock::now();
      for (auto& u : t->users_) {
        ReceiptConn& c = u->receipts;
        if (!c.busy || c.timed_out || now - c.started < kReceiptTimeout) continue;
        c.timed_out = true;
        t->CloseReceipts(c);
      }
    }
  }

  asio::any_io_executor ex_;
  const std::vector<Target>& targets_;
  const Target& target_;  // targets_[0]: logins and conversations
  std::string data_dir_;
  bool relay_;
  ChatEvents* events_;
  const ChatSetup* setup_ = nullptr;
  std::vector<std::unique_ptr<User>> users_;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> index_of_;
  std::vector<std::string> conversations_;
  std::vector<std::string> conversations_json_;  // the same ids as JSON strings
  UserSessions sessions_;
  MessageIds ids_;  // seq ↔ layer:///messages/UUID
  // Reused from message to message.
  std::string packet_;                   // the request being framed
  LayerPacket scan_;                     // the packet being handled
  std::string scratch_;                  // its unescaped strings
  std::string user_;                     // a user id out of a patch path
  std::vector<User*> dirty_, flushing_;  // sockets with frames to flush this turn
  bool flush_posted_ = false;
  uint32_t mask_state_ = 0x2545F491;
  asio::steady_timer watchdog_;
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
