// ChatTransport over XMPP (RFC 6120/6121) for ejabberd: one connection per user; SASL PLAIN,
// resource bind, XEP-0198 stream management (its <a h='N'/> answers are the acks: the server
// handled the message, which for ejabberd includes the MAM write), XEP-0184 delivery receipts and
// XEP-0333 read markers. Messages go to the peer's bare JID.
//
// A <message type='error'> for a message not acked yet answers it as refused; one that comes
// after the ack (the server accepted the message, then could not deliver it) is reported through
// OnTransportError, so that a message is answered once.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <unordered_map>

#include "async_util.h"
#include "chat_transport.h"
#include "report.h"
#include "xmpp_conn.h"
#include "xmpp_text.h"

namespace relayer::bench {

namespace asio = boost::asio;

namespace {

constexpr size_t kMaxStanza = 1 << 20;
constexpr size_t kReadSize = 16 * 1024;
constexpr auto kSetupTimeout = std::chrono::seconds(60);
constexpr auto kCloseGrace = std::chrono::seconds(3);
constexpr size_t kNoPeer = static_cast<size_t>(-1);

constexpr std::string_view kSasl = "urn:ietf:params:xml:ns:xmpp-sasl";
constexpr std::string_view kBind = "urn:ietf:params:xml:ns:xmpp-bind";
constexpr std::string_view kSession = "urn:ietf:params:xml:ns:xmpp-session";
constexpr std::string_view kSm = "urn:xmpp:sm:3";
constexpr std::string_view kReceipts = "urn:xmpp:receipts";
constexpr std::string_view kMarkers = "urn:xmpp:chat-markers:0";

class XmppTransport;

// Routes one connection's parsed stanzas to the transport.
struct Conn final : XmlStream::Handler {
  Conn(asio::any_io_executor ex, XmppTransport* t)
      : transport(t), c(std::move(ex), this, kMaxStanza) {}
  void OnStanza(const XmlStanza& stanza) override;
  void OnStreamEnd() override;
  XmppTransport* transport;
  XmppConn c;
};

class XmppTransport final : public ChatTransport {
 public:
  XmppTransport(asio::any_io_executor ex, const Target& target, std::string domain,
                std::string password, ChatEvents* events)
      : ex_(std::move(ex)),
        target_(target),
        domain_(std::move(domain)),
        password_(std::move(password)),
        events_(events),
        close_timer_(ex_) {}

  asio::awaitable<std::string> Setup(const ChatSetup* setup) override;
  void Send(size_t conversation, size_t from, uint64_t seq, std::string_view body) override;
  void SendReceipt(size_t user, uint64_t seq, ReceiptKind kind) override;
  bool IsOpen(size_t user) const override {
    return user < conns_.size() && conns_[user]->c.open &&
           conns_[user]->c.state == XmppState::kReady;
  }
  bool StopReading(size_t user) override {
    if (user >= conns_.size()) return false;
    conns_[user]->c.reading = false;
    return true;
  }
  void CloseAll() override;

  void OnStanza(XmppConn& c, const XmlStanza& st);
  void OnStreamEnd(XmppConn& c) { Close(c, "the server closed the stream"); }

 private:
  static asio::awaitable<void> LoginOne(XmppTransport* t, size_t worker, size_t index);
  static asio::awaitable<void> ReadLoop(XmppTransport* t, XmppConn* c);
  static asio::awaitable<void> ReportProgress(XmppTransport* t);

  void Handshake(XmppConn& c, const XmlStanza& st);
  void OnMessage(XmppConn& c, const XmlStanza& st);
  void Flush(XmppConn& c);
  void Close(XmppConn& c, const std::string& why);
  size_t UserIndex(std::string_view jid);  // kNoPeer when not one of ours

  asio::any_io_executor ex_;
  Target target_;
  std::string domain_, password_;
  ChatEvents* events_;
  const ChatSetup* setup_ = nullptr;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<asio::ip::address> sources_;
  std::vector<size_t> peer_;  // each user's one conversation partner, or kNoPeer
  std::unordered_map<std::string, size_t> by_name_;  // lowercased user id → index
  std::unordered_map<uint64_t, size_t> sender_of_;   // for users with several partners
  std::string key_;                                  // reused by UserIndex
  size_t done_ = 0, failed_ = 0, open_ = 0;
  bool setup_finished_ = false, closing_ = false;
  std::string first_error_;
  asio::steady_timer close_timer_;
};

void Conn::OnStanza(const XmlStanza& stanza) { transport->OnStanza(c, stanza); }
void Conn::OnStreamEnd() { transport->OnStreamEnd(c); }

// --- setup ---------------------------------------------------------------------------------------

asio::awaitable<std::string> XmppTransport::Setup(const ChatSetup* setup) {
  setup_ = setup;
  const size_t n = setup->users.size();
  peer_.assign(n, kNoPeer);
  std::vector<int> conversations_of(n, 0);
  for (const auto& members : setup->conversations) {
    if (members.size() != 2) co_return "the XMPP transport handles one-to-one conversations only";
    for (int k = 0; k < 2; ++k) {
      if (members[k] >= n) co_return "a conversation names an unknown user";
      conversations_of[members[k]]++;
      peer_[members[k]] = members[1 - k];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (conversations_of[i] != 1) peer_[i] = kNoPeer;
    by_name_[AsciiLower(setup->users[i])] = i;
  }
  SourceAddresses sources(setup->source_addresses, n);
  for (size_t i = 0; i < n; ++i) {
    conns_.push_back(std::make_unique<Conn>(ex_, this));
    conns_.back()->c.index = i;
    sources_.push_back(sources.Next());
  }
  auto progress = ReportProgress(this);
  asio::co_spawn(ex_, std::move(progress), asio::detached);
  const auto start = Clock::now();
  auto all = ForEach<XmppTransport>(this, &LoginOne, n,
                                    static_cast<size_t>(std::max(1, setup->login_concurrency)));
  co_await std::move(all);
  setup_finished_ = true;
  const double seconds = static_cast<double>(NanosBetween(start, Clock::now())) / 1e9;
  Progress("[login] " + std::to_string(done_ - failed_) + "/" + std::to_string(n) +
           " XMPP users logged in in " + std::to_string(seconds) + " s" +
           (first_error_.empty() ? "" : "; first failure: " + first_error_));
  co_return first_error_;
}

asio::awaitable<void> XmppTransport::ReportProgress(XmppTransport* t) {
  auto next = Clock::now();
  while (!t->setup_finished_) {
    next += std::chrono::seconds(1);
    auto aw = SleepUntil(next);
    co_await std::move(aw);
    if (t->setup_finished_) break;
    Progress("[login] " + std::to_string(t->done_) + "/" + std::to_string(t->conns_.size()) +
             " XMPP users, " + std::to_string(t->failed_) + " failed");
  }
}

asio::awaitable<void> XmppTransport::LoginOne(XmppTransport* t, size_t worker, size_t index) {
  (void)worker;
  XmppConn& c = t->conns_[index]->c;
  auto connect_aw = Connect(c.socket, t->target_.endpoint, t->sources_[index]);
  boost::system::error_code ec = co_await std::move(connect_aw);
  if (ec) {
    c.state = XmppState::kFailed;
    c.setup_error = "connect: " + ec.message();
  } else {
    c.open = true;
    t->open_++;
    auto read = ReadLoop(t, &c);
    asio::co_spawn(t->ex_, std::move(read), asio::detached);
    c.state = XmppState::kFeatures;
    c.QueueStreamHeader(t->domain_);
    t->Flush(c);
    c.setup_timer.expires_after(kSetupTimeout);
    auto wait_aw = c.setup_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(wait_aw);
    if (c.state != XmppState::kReady && c.state != XmppState::kFailed) {
      t->Close(c, "no answer to the handshake within 60 s");
    }
  }
  t->done_++;
  if (c.state != XmppState::kReady) {
    t->failed_++;
    if (t->first_error_.empty()) t->first_error_ = t->setup_->users[index] + ": " + c.setup_error;
  }
}

bool OffersPlain(const XmlStanza& features) {
  const size_t mechanisms = features.Child(0, "mechanisms", kSasl);
  if (mechanisms == XmlStanza::kNone) return false;
  for (size_t e = mechanisms + 1; e < features.size(); ++e) {
    if (features.Parent(e) == mechanisms && features.Text(e) == "PLAIN") return true;
  }
  return false;
}

// Each answer of the server moves the handshake one step: SASL PLAIN, stream restart, bind,
// (session), XEP-0198 enable, initial presence. It ends once the presence is acked, since the
// server routes messages for a bare JID only to resources that sent one.
void XmppTransport::Handshake(XmppConn& c, const XmlStanza& st) {
  const std::string_view name = st.Name(0);
  if (name == "stream:error") return Close(c, "stream error: " + DescribeError(st, 0));
  switch (c.state) {
    case XmppState::kFeatures:
      if (name != "stream:features") break;
      if (!OffersPlain(st)) return Close(c, "the server offers no SASL PLAIN (only after TLS?)");
      c.QueueAuthPlain(setup_->users[c.index], password_);
      c.state = XmppState::kAuth;
      break;
    case XmppState::kAuth:
      if (name == "failure") return Close(c, "SASL: " + DescribeError(st, 0));
      if (name != "success") break;
      c.xml.RequestRestart();
      c.QueueStreamHeader(domain_);
      c.state = XmppState::kBoundFeatures;
      break;
    case XmppState::kBoundFeatures: {
      if (name != "stream:features") break;
      if (st.Child(0, "bind", kBind) == XmlStanza::kNone) return Close(c, "no resource binding");
      if (st.Child(0, "sm", kSm) == XmlStanza::kNone) {
        return Close(c, "the server offers no XEP-0198 (urn:xmpp:sm:3)");
      }
      const size_t session = st.Child(0, "session", kSession);
      c.session_required =
          session != XmlStanza::kNone && st.Child(session, "optional") == XmlStanza::kNone;
      c.QueueBind();
      c.state = XmppState::kBind;
      break;
    }
    case XmppState::kBind:
    case XmppState::kSession:
      if (name != "iq") break;
      if (st.Attr(0, "type") != "result") {
        return Close(c, std::string(c.state == XmppState::kBind ? "bind: " : "session: ") +
                            DescribeError(st, st.Child(0, "error")));
      }
      if (c.state == XmppState::kBind && c.session_required) {
        c.QueueSession();
        c.state = XmppState::kSession;
      } else {
        c.QueueEnable();
        c.state = XmppState::kEnable;
      }
      break;
    case XmppState::kEnable:
      if (name == "failed") return Close(c, "XEP-0198 enable: " + DescribeError(st, 0));
      if (name != "enabled") break;
      c.EnabledByServer();
      c.QueueInitialPresence();
      c.state = XmppState::kPresence;
      break;
    case XmppState::kPresence:
      if (name == "r") c.QueueAckAnswer();
      if (name != "a" || ParseUint(st.Attr(0, "h")) == kNotANumber) break;
      c.state = XmppState::kReady;
      c.setup_timer.cancel();
      break;
    default:
      break;
  }
  Flush(c);
}

// --- reading -------------------------------------------------------------------------------------

asio::awaitable<void> XmppTransport::ReadLoop(XmppTransport* t, XmppConn* c) {
  boost::system::error_code ec;
  std::string why;
  while (c->open && c->reading) {
    char* buffer = c->xml.Buffer(kReadSize);
    if (!buffer) {
      why = "the XML parser refused more input";
      break;
    }
    auto aw = c->socket.async_read_some(asio::buffer(buffer, kReadSize),
                                        asio::redirect_error(asio::use_awaitable, ec));
    const size_t n = co_await std::move(aw);
    if (ec) {
      why = ec == asio::error::eof ? "the server closed the connection" : "read: " + ec.message();
      break;
    }
    if (!c->open) break;  // CloseAll() while the read was pending
    // What the stanzas of this read make us send (acks, receipts) goes out in one write.
    c->in_parse = true;
    std::string error = c->xml.Parse(n);
    c->in_parse = false;
    if (!error.empty()) {
      why = "XML: " + error;
      break;
    }
    t->Flush(*c);
  }
  if (!why.empty()) t->Close(*c, why);
}

void XmppTransport::OnStanza(XmppConn& c, const XmlStanza& st) {
  if (closing_) return;
  const std::string_view name = st.Name(0);
  if (name == "message" || name == "presence" || name == "iq") c.CountIncoming();
  if (c.state != XmppState::kReady) return Handshake(c, st);
  if (name == "message") {
    OnMessage(c, st);
  } else if (name == "a") {
    const uint64_t h = ParseUint(st.Attr(0, "h"));
    if (h == kNotANumber) return events_->OnTransportError(c.index, "an <a/> without h");
    c.Acked(h, [&](uint64_t seq) { events_->OnAck(c.index, seq, true, ""); });
  } else if (name == "r") {
    c.QueueAckAnswer();
    Flush(c);
  } else if (name == "iq") {
    c.QueueIqAnswer(st);
    Flush(c);
  } else if (name == "stream:error") {
    Close(c, "stream error: " + DescribeError(st, 0));
  }
}

void XmppTransport::OnMessage(XmppConn& c, const XmlStanza& st) {
  const std::string_view id = st.Attr(0, "id");
  if (st.Attr(0, "type") == "error") {
    const uint64_t seq = ParseUint(id);
    if (seq == kNotANumber) {  // a receipt or a marker ("rcpt-N", "mark-N") that bounced
      return events_->OnTransportError(
          c.index, "receipt refused: " + DescribeError(st, st.Child(0, "error")));
    }
    const std::string why = DescribeError(st, st.Child(0, "error"));
    if (c.Refuse(seq)) return events_->OnAck(c.index, seq, false, why);
    return events_->OnTransportError(c.index, "message refused after the server's ack: " + why);
  }
  const size_t from = UserIndex(st.Attr(0, "from"));
  for (size_t e = 1; e < st.size(); ++e) {
    if (st.Parent(e) != 0) continue;
    const std::string_view child = st.Name(e);
    if (child == "body") {
      uint64_t seq = ParseUint(id);
      if (seq == kNotANumber) seq = SeqFromBody(st.Text(e));
      if (seq == kNotANumber) {
        events_->OnTransportError(c.index, "a message without a sequence number");
        continue;
      }
      if (peer_[c.index] == kNoPeer && from != kNoPeer) sender_of_[seq] = from;
      events_->OnMessage(c.index, seq, st.Text(e));
    } else if ((child == "received" && st.Attr(e, "xmlns") == kReceipts) ||
               (child == "displayed" && st.Attr(e, "xmlns") == kMarkers)) {
      const uint64_t seq = ParseUint(st.Attr(e, "id"));
      if (seq == kNotANumber || from == kNoPeer) {
        events_->OnTransportError(c.index, "a receipt for an unknown message or from a stranger");
        continue;
      }
      events_->OnReceipt(c.index, seq, from,
                         child == "received" ? ReceiptKind::kDelivered : ReceiptKind::kRead);
    }
  }
}

size_t XmppTransport::UserIndex(std::string_view jid) {
  const size_t at = jid.find('@');
  if (at == std::string_view::npos) return kNoPeer;
  key_.assign(jid.substr(0, at));
  for (char& ch : key_) ch = AsciiLowerChar(ch);
  auto it = by_name_.find(key_);
  return it == by_name_.end() ? kNoPeer : it->second;
}

// --- writing -------------------------------------------------------------------------------------

void XmppTransport::Send(size_t conversation, size_t from, uint64_t seq, std::string_view body) {
  if (closing_) return;
  if (!setup_ || conversation >= setup_->conversations.size() || from >= conns_.size()) {
    return events_->OnAck(from, seq, false, "no such conversation or user");
  }
  const auto& members = setup_->conversations[conversation];
  XmppConn& c = conns_[from]->c;
  if (!c.open || c.state != XmppState::kReady) {
    return events_->OnAck(from, seq, false, "not connected");
  }
  const size_t to = members[0] == from ? members[1] : members[0];
  c.QueueMessage(setup_->users[to], domain_, seq, body);
  Flush(c);
}

void XmppTransport::SendReceipt(size_t user, uint64_t seq, ReceiptKind kind) {
  if (closing_ || user >= conns_.size()) return;
  XmppConn& c = conns_[user]->c;
  if (!c.open || c.state != XmppState::kReady) return;
  size_t to = peer_[user];
  if (to == kNoPeer) {
    auto it = sender_of_.find(seq);
    if (it == sender_of_.end()) {
      return events_->OnTransportError(user, "a receipt for a message it did not receive");
    }
    to = it->second;
    if (kind == ReceiptKind::kRead) sender_of_.erase(it);  // the last receipt a scenario sends
  }
  c.QueueReceipt(setup_->users[to], domain_, seq, kind);
  Flush(c);
}

// One write in flight per connection; whatever is queued meanwhile goes out in the next one.
void XmppTransport::Flush(XmppConn& c) {
  if (c.write_in_flight || c.in_parse || !c.open || !c.TakeBatch()) return;
  c.write_in_flight = true;
  XmppConn* cp = &c;
  asio::async_write(c.socket, asio::buffer(c.batch()),
                    [this, cp](boost::system::error_code ec, size_t) {
                      cp->write_in_flight = false;
                      cp->BatchWritten();
                      if (ec) return Close(*cp, "write: " + ec.message());
                      Flush(*cp);
                      if (closing_ && !cp->write_in_flight) {  // </stream:stream> is out
                        boost::system::error_code ignored;
                        cp->socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
                      }
                    });
}

// A connection that fails during the handshake fails its login; one that fails later is
// reported once through OnClosed (unless CloseAll() asked for it).
void XmppTransport::Close(XmppConn& c, const std::string& why) {
  if (!c.open) return;
  c.open = false;
  boost::system::error_code ignored;
  c.socket.close(ignored);
  if (--open_ == 0) close_timer_.cancel();
  if (c.state == XmppState::kReady) {
    if (!closing_) events_->OnClosed(c.index, why);
  } else if (c.state != XmppState::kFailed) {
    c.state = XmppState::kFailed;
    c.setup_error = why;
    c.setup_timer.cancel();
  }
}

// Ends each stream with </stream:stream>, so that ejabberd ends each session as for a client that
// logs out rather than one that dropped, then closes what is left after kCloseGrace (a reader
// stalled by StopReading never sees the server's answer) so the caller's io_context runs out of
// work.
void XmppTransport::CloseAll() {
  if (closing_) return;
  closing_ = true;
  for (auto& conn : conns_) {
    XmppConn& c = conn->c;
    if (!c.open) continue;
    c.QueueStreamEnd();
    Flush(c);
  }
  if (open_ == 0) return;
  close_timer_.expires_after(kCloseGrace);
  close_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    for (auto& conn : conns_) Close(conn->c, "closing");
  });
}

}  // namespace

std::unique_ptr<ChatTransport> MakeXmppTransport(asio::any_io_executor ex, const Target& target,
                                                 std::string domain, std::string password,
                                                 ChatEvents* events) {
  return std::make_unique<XmppTransport>(std::move(ex), target, std::move(domain),
                                         std::move(password), events);
}

}  // namespace relayer::bench
