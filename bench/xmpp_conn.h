// One XMPP client connection of the load generator: its socket and stream parser, the stanzas it
// queues (one write in flight; what queues up meanwhile goes out in one write), and its XEP-0198
// counters. Its socket I/O and the protocol's flow are in xmpp_transport.cc.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

#include "chat_transport.h"
#include "xml_stream.h"

namespace relayer::bench {

enum class XmppState {
  kConnecting,
  kFeatures,       // stream header sent, waiting for the SASL mechanisms
  kAuth,           // <auth mechanism='PLAIN'> sent
  kBoundFeatures,  // restarted after <success/>, waiting for bind/sm
  kBind,
  kSession,   // legacy RFC 3921 session, only when the server says it is not optional
  kEnable,    // <enable xmlns='urn:xmpp:sm:3'/> sent
  kPresence,  // initial presence sent, waiting for its ack (then messages reach this resource)
  kReady,
  kFailed,
};

class XmppConn {
 public:
  XmppConn(boost::asio::any_io_executor ex, XmlStream::Handler* handler, size_t max_stanza)
      : socket(ex), setup_timer(ex), xml(handler, max_stanza) {}

  // Queue what the client says. `to` is a user id; stanzas that XEP-0198 counts are counted.
  void QueueStreamHeader(std::string_view domain);
  void QueueAuthPlain(std::string_view user, std::string_view password);
  void QueueBind();
  void QueueSession();
  void QueueEnable();
  void EnabledByServer();       // <enabled/>: both counters start at 0
  void QueueInitialPresence();  // with an <r/>: its ack says the server routes to us
  void QueueMessage(std::string_view to, std::string_view domain, uint64_t seq,
                    std::string_view body);
  void QueueReceipt(std::string_view to, std::string_view domain, uint64_t seq, ReceiptKind kind);
  void QueueAckAnswer();  // <a h='stanzas received'/> for the server's <r/>
  void QueueIqAnswer(const XmlStanza& iq);
  void QueueStreamEnd();
  // Incoming stanzas that XEP-0198 counts (message, presence, iq) call this.
  void CountIncoming() {
    if (sm_enabled_) stanzas_in_++;
  }

  // Moves the queue into the write buffer (ending it with one <r/> if it holds messages, so the
  // server acks them all); false when there is nothing to write.
  bool TakeBatch();
  const std::string& batch() const { return writing_; }
  void BatchWritten() { writing_.clear(); }

  // <a h='N'/>: calls on_ack(seq) for each message among the first N counted stanzas (mod 2^32,
  // XEP-0198 4), in send order, except those Refuse() took.
  template <class F>
  void Acked(uint64_t h, F&& on_ack);
  // A <message type='error'> for `seq`: true if it was not acked yet (it will not be).
  bool Refuse(uint64_t seq);

  boost::asio::ip::tcp::socket socket;
  boost::asio::steady_timer setup_timer;  // Setup() waits on it until the handshake ends
  XmlStream xml;
  size_t index = 0;  // into ChatSetup::users
  XmppState state = XmppState::kConnecting;
  std::string setup_error;
  bool open = false;
  bool reading = true;    // false after StopReading(): the next read is not issued
  bool in_parse = false;  // handling the stanzas of one read: write once they all are
  bool write_in_flight = false;
  bool session_required = false;

 private:
  void CountOutgoing() {
    if (sm_enabled_) stanzas_out_++;
  }

  std::string out_, writing_;  // queued, and in the write in flight
  bool request_ack_ = false;   // a message was queued since the last <r/>
  // XEP-0198: stanzas sent since <enable/> and received since <enabled/> (each side counts the
  // other's), and the messages not yet acknowledged as (stanza number, seq), in send order.
  bool sm_enabled_ = false;
  uint64_t stanzas_out_ = 0, stanzas_in_ = 0;
  std::deque<std::pair<uint64_t, uint64_t>> unacked_;
  std::unordered_set<uint64_t> refused_;
};

template <class F>
void XmppConn::Acked(uint64_t h, F&& on_ack) {
  while (!unacked_.empty() && static_cast<uint32_t>(h - unacked_.front().first) < (1u << 31)) {
    const uint64_t seq = unacked_.front().second;
    unacked_.pop_front();
    if (!refused_.empty() && refused_.erase(seq)) continue;
    on_ack(seq);
  }
}

}  // namespace relayer::bench
